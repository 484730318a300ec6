import AsyncHTTPClient
import Foundation
import NIOCore

/// A plain GET for the sandbox's admin API.
enum HTTPClientShim {
    static func get(_ url: String) async throws -> String {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return String(buffer: body)
    }
}
