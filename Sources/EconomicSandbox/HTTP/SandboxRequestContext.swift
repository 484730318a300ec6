import Foundation
import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the connection, which the drop-response knob closes.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}

extension Request {
    /// Query parameters with lower-cased names, decoded like a form (`+` is a space, then percent-decoding),
    /// which is why a `+` in a filter value must be sent as `%2B`.
    var sandboxQuery: [String: String] {
        guard let query = uri.query, !query.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0]).lowercased()
            result[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }

    /// `http://` + the `Host` header, unless a public base URL is configured.
    func sandboxBaseURL(_ configured: String?) -> String {
        if let configured { return configured.hasSuffix("/") ? String(configured.dropLast()) : configured }
        return "http://\(head.authority ?? "127.0.0.1")"
    }

    /// The path with identifiers replaced (`/customers/{id}`), for the request counters.
    var statsPath: String {
        let parts = uri.path.split(separator: "/")
        guard parts.count >= 2 else { return "/" + parts.joined(separator: "/") }
        if parts[0] == "_sandbox" { return "/" + parts.joined(separator: "/") }
        return "/\(parts[0])/{id}" + (parts.count > 2 ? "/" + parts[2...].joined(separator: "/") : "")
    }
}
