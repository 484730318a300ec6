import Credentials
import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// The import page's form (`multipart/form-data`) read as it streams in: small fields are kept, the `file`
/// part is written to an ``ImportSpool`` chunk by chunk (never held whole). The anti-forgery field must come
/// before the file (browsers send parts in the form's order, and the form puts it first), so a forged post is
/// refused before any of its file is stored.
struct MultipartImportUpload {
    /// The form's fields other than the file.
    var fields: [String: String]
    /// The file, complete on disk; nil when the form had no file or an empty one.
    var file: SpooledImport?

    /// Small fields are at most this long.
    static let maxFieldBytes = 4 * 1024
    /// Bytes allowed in a form besides the file (boundaries, part headers, small fields).
    static let formOverheadBytes = 64 * 1024

    /// Reads the form.
    /// - Parameters:
    ///   - limit: the largest file accepted.
    ///   - csrf: the anti-forgery token the `_csrf` field must hold.
    /// - Throws: ``APIError``: 400 for a body that is not a multipart form, 403 for a missing or wrong token,
    ///   413 for a file over `limit`.
    static func read(_ request: Request, limit: Int, csrf: String) async throws -> MultipartImportUpload {
        guard let contentType = request.headers[.contentType], let boundary = Self.boundary(contentType) else {
            throw APIError.badRequest("the form must be sent as multipart/form-data")
        }
        let form = FormState(limit: limit, csrf: csrf)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in form.header(name, value) }
        parser.onBody = { buffer in form.body(buffer) }
        parser.onPartComplete = { form.partComplete() }
        var total = 0
        do {
            for try await chunk in request.body {
                total += chunk.readableBytes
                guard total <= limit + formOverheadBytes else {
                    throw APIError(
                        .contentTooLarge, code: "payload_too_large",
                        message: "the file is larger than the limit of \(limit) bytes; split it and import each part")
                }
                do {
                    try parser.execute(chunk)
                } catch let error as APIError {
                    throw error
                } catch {
                    throw APIError.badRequest("the form could not be read (broken multipart body)")
                }
                if let failure = form.failure { throw failure }
            }
            guard form.finished else { throw APIError.badRequest("the upload broke off before the end of the form") }
            return MultipartImportUpload(fields: form.fields, file: try form.spooled())
        } catch {
            form.discard()
            throw error
        }
    }

    /// The `boundary` parameter of a `multipart/form-data` content type.
    static func boundary(_ contentType: String) -> String? {
        let parameters = HeaderParameters(contentType)
        guard parameters.value.lowercased() == "multipart/form-data", let boundary = parameters["boundary"], !boundary.isEmpty,
            boundary.count <= 70
        else { return nil }
        return boundary
    }
}

/// What the parser's callbacks build up (they cannot throw: a failure is kept and thrown after the chunk).
private final class FormState {
    let limit: Int
    let csrf: String
    var fields: [String: String] = [:]
    var failure: APIError?
    var finished = false
    private var headers: [String: String] = [:]
    private var part: Part?
    private var fieldBytes: [UInt8] = []
    private var spool: ImportSpool?
    private var fileName: String?
    private var fileComplete = false

    enum Part {
        case field(String)
        case file(String)
        case ignored
    }

    init(limit: Int, csrf: String) {
        self.limit = limit
        self.csrf = csrf
    }

    func header(_ name: String, _ value: String) {
        headers[name.lowercased()] = value
    }

    func body(_ buffer: ByteBuffer) {
        guard failure == nil else { return }
        let part = self.part ?? begin()
        switch part {
        case .field:
            guard fieldBytes.count + buffer.readableBytes <= MultipartImportUpload.maxFieldBytes else {
                failure = APIError.badRequest("a form field is too long")
                return
            }
            fieldBytes += buffer.readableBytesView
        case .file:
            do {
                try spool?.write(buffer)
            } catch let error as APIError {
                failure = error
            } catch {
                failure = APIError(.internalServerError, code: "upload_failed", message: "the upload could not be stored; try again")
            }
        case .ignored:
            break
        }
    }

    func partComplete() {
        guard failure == nil else { return }
        switch part ?? begin() {
        case .field(let name):
            if fields[name] == nil { fields[name] = String(decoding: fieldBytes, as: UTF8.self) }
        case .file:
            fileComplete = true
        case .ignored:
            break
        }
        part = nil
        headers = [:]
        fieldBytes = []
        finished = true
    }

    /// Starts a part once its headers are known.
    private func begin() -> Part {
        finished = false
        let disposition = HeaderParameters(headers["content-disposition"] ?? "")
        let name = disposition["name"] ?? ""
        let part: Part
        if name == "file", spool == nil {
            guard let token = fields["_csrf"], constantTimeEqual(Array(token.utf8), Array(csrf.utf8)) else {
                failure = APIError(
                    .forbidden, code: "forbidden", message: "the form has expired or did not come from this site; reload the page and try again")
                self.part = .ignored
                return .ignored
            }
            do {
                spool = try ImportSpool(limit: limit)
                fileName = disposition["filename"]
                part = .file(name)
            } catch {
                failure = error as? APIError
                part = .ignored
            }
        } else if !name.isEmpty, fields.count < 20 {
            part = .field(name)
        } else {
            part = .ignored
        }
        self.part = part
        return part
    }

    /// The file, when one with content was sent.
    func spooled() throws -> SpooledImport? {
        guard let spool, fileComplete else {
            if fields["_csrf"].map({ !constantTimeEqual(Array($0.utf8), Array(csrf.utf8)) }) ?? true {
                throw APIError(
                    .forbidden, code: "forbidden", message: "the form has expired or did not come from this site; reload the page and try again")
            }
            return nil
        }
        guard spool.byteCount > 0 else {
            spool.discard()
            return nil
        }
        return try spool.finish(fileName: ImportFileName.clean(fileName))
    }

    func discard() { spool?.discard() }
}
