import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Reading and writing JSON bodies with Accord's conventions: ISO 8601 dates, sorted keys, size limits, and
/// decoding errors that say which field is wrong.
enum JSONBody {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// A JSON response.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        response(encoded: (try? encoder.encode(value)).map { ByteBuffer(bytes: $0) }, status: status)
    }

    /// A JSON response with a body already encoded; `nil` (encoding failed) answers an internal error's envelope.
    static func response(encoded body: ByteBuffer?, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: body ?? unencodable))
    }

    /// The `Content-Type` of every JSON answer.
    static let contentType = "application/json; charset=utf-8"

    /// The body sent when an answer could not be encoded.
    static var unencodable: ByteBuffer { ByteBuffer(string: #"{"error":{"code":"internal","message":"the answer could not be encoded"}}"#) }

    /// The raw body, refused with 413 above `limit` bytes.
    static func bytes(of request: Request, limit: Int) async throws -> ByteBuffer {
        var request = request
        do {
            return try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: limit)
        }
    }

    /// Decodes a JSON body, with 400 for malformed JSON and 422 naming the field for the wrong shape.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, limit: Int) async throws -> Value {
        let buffer = try await bytes(of: request, limit: limit)
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("the request needs a JSON body", code: "malformed_json") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = Data(buffer: buffer)
        do {
            return try decoder.decode(Value.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // Valid JSON with a value the type cannot hold (a number out of range, say) is the wrong shape, not malformed.
            guard (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil else {
                throw APIError.badRequest("the body is not valid JSON", code: "malformed_json")
            }
            throw APIError.invalidInput(describe(.dataCorrupted(context)))
        } catch let error as DecodingError {
            throw APIError.invalidInput(describe(error))
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidInput("the body does not have the expected shape")
        }
    }

    /// A short explanation of a decoding error naming the field.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(parent)")
        case .typeMismatch(let type, let context):
            return "\(path(context)) has the wrong type (expected \(typeName(type)))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) must not be null (expected \(typeName(type)))"
        case .dataCorrupted(let context):
            var text = context.debugDescription
            while text.hasSuffix(".") { text.removeLast() }
            return "\(path(context)): \(text)"
        @unknown default:
            return "the body does not have the expected shape"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default: type is any Collection.Type ? "an array" : "an object"
        }
    }
}
