import Foundation
import Hummingbird
import SyncDomain

/// Reading path and query parameters with specific errors.
extension AppRequestContext {
    /// A path parameter, percent-decoded.
    func pathParameter(_ name: String) throws -> String {
        // Most parameters hold no escape: Foundation's decoding (bridged through NSString) is skipped for them, as a
        // flood of requests for made-up tenants would otherwise pay it on every one.
        guard let raw = parameters.get(name), let decoded = raw.contains("%") ? raw.removingPercentEncoding : raw, !decoded.isEmpty else {
            throw APIError.badRequest("missing path parameter '\(name)'")
        }
        return decoded
    }

    /// The customer named by `{system}/{id}`.
    func customerRef() throws -> CustomerRef {
        let systemName = try pathParameter("system")
        guard let system = System(rawValue: systemName) else {
            throw APIError.notFound("unknown system '\(systemName.prefix(40))': use stripe, file or economic")
        }
        let id = try pathParameter("id")
        guard id.utf8.count <= 255 else { throw APIError.badRequest("a customer id has at most 255 bytes") }
        return CustomerRef(system: system, id: id)
    }

    /// The link named by `{link}`.
    func linkID() throws -> LinkID {
        let text = try pathParameter("link")
        guard let uuid = UUID(uuidString: text) else { throw APIError.notFound("'\(text.prefix(60))' is not a link id") }
        return LinkID(uuid)
    }

    /// The outbound request named by `{request}`.
    func requestID() throws -> SyncDomain.RequestID {
        let text = try pathParameter("request")
        guard let uuid = UUID(uuidString: text) else { throw APIError.notFound("'\(text.prefix(60))' is not a request id") }
        return SyncDomain.RequestID(uuid)
    }
}

/// Paging from `limit` and `offset`.
struct Paging {
    var limit: Int
    var offset: Int

    init(_ request: Request, maxLimit: Int, defaultLimit: Int = 50) throws {
        let query = request.uri.queryParameters
        limit = defaultLimit
        offset = 0
        if let text = query.get("limit") {
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                throw APIError.invalidInput("'limit' must be an integer from 1 to \(maxLimit)")
            }
            limit = value
        }
        if let text = query.get("offset") {
            guard let value = Int(text), value >= 0 else { throw APIError.invalidInput("'offset' must be a non-negative integer") }
            offset = value
        }
    }
}

/// `side` of the unpartnered lists.
func unpartneredSide(_ text: String?) throws -> String {
    switch text {
    case "source", nil: return "source"
    case "economic": return "economic"
    case let other?: throw APIError.invalidInput("unknown side '\(other.prefix(40))': use source or economic")
    }
}

extension Request {
    /// The API's `search` query parameter: trimmed, nil when empty; at most 200 characters.
    /// - Throws: ``APIError`` (`invalid_input`) when longer.
    func searchParameter() throws -> String? {
        let raw = uri.queryParameters.get("search")
        guard (raw?.unicodeScalars.count ?? 0) <= 200 else { throw APIError.invalidInput("'search' has at most 200 characters") }
        return raw.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A page's search box (a GET form: browsers send a space as `+`, which the query parameters keep as it is): trimmed,
    /// cut to 200 characters, nil when empty.
    var searchBox: String? {
        FormData(uri.query ?? "")["search"].map { String($0.trimmingCharacters(in: .whitespaces).prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
