public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The admin API of localstripe (the Stripe emulator used by the tests and the demo); not part of Stripe.
public enum LocalStripeAdmin {
    /// Why localstripe refused a configuration call.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        /// What it said.
        public var description: String
    }

    /// Registers (or replaces) webhook `id`: localstripe then posts every event (or only `events`) to `url`,
    /// signed with `secret`.
    /// - Throws: ``Refused`` or a transport error.
    public static func configureWebhook(
        apiBase: String, id: String, url: String, secret: String, events: [String]? = nil, httpClient: HTTPClient = .shared
    ) async throws {
        var pairs = [("url", url), ("secret", secret)]
        for (index, event) in (events ?? []).enumerated() { pairs.append(("events[\(index)]", event)) }
        let body = pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: apiBase + "/_config/webhooks/" + id)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await httpClient.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw Refused(description: "localstripe refused the webhook configuration: \(response.status)") }
    }

    /// Switches webhook `id` off. localstripe cannot remove a webhook, so it is narrowed to an event type that never
    /// happens (tests and benchmarks share one localstripe, which sends every event to every webhook).
    /// - Throws: ``Refused`` or a transport error.
    public static func disableWebhook(apiBase: String, id: String, httpClient: HTTPClient = .shared) async throws {
        try await configureWebhook(
            apiBase: apiBase, id: id, url: "http://127.0.0.1:9/disabled", secret: "whsec_disabled", events: ["accord.webhook.disabled"],
            httpClient: httpClient)
    }

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
