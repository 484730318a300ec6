import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Refuses on the connection's event loop a request that the per-client rate limit refuses anyway, so that a flood
/// from one address (bad API keys, scripted logins) is answered without a task, the router or the middlewares.
///
/// It only looks and never takes a token: a request whose address has a token left goes on to
/// ``RateLimitMiddleware``, which takes it (or refuses, if another connection took the last one meanwhile). The
/// answer is the middleware's: 429 `rate_limited` with `Retry-After` and the JSON error envelope. The handler leaves to
/// the middleware:
/// - the pages (`/`, `/login`, `/ui/…`), whose 429 is an HTML page;
/// - webhooks and the probes, which the per-client limit does not count;
/// - any request while an earlier one on the same connection is still being answered, so that answers keep the
///   requests' order;
/// - `HEAD`, `OPTIONS` and the other methods, and requests that expect `100 Continue`.
///
/// A refused request's body is read and dropped, and the answer is written after its end. A refused request counts
/// in `http_server_requests_total` under the route `edge` (no route has been matched yet).
///
/// Hummingbird's connection handler sits after this one and sees none of the refused requests. A connection that
/// sends only refused requests therefore looks idle to it, and is closed after the server's idle timeout.
final class ClientLimitRefusalHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The route label of the requests refused here.
    static let route = "edge"

    /// The methods refused here: answers to them carry a body, and their clients send the body without waiting for
    /// `100 Continue` (a request with `Expect` goes on).
    static let methods: Set<HTTPRequest.Method> = [.get, .post, .put, .patch, .delete]

    private let limiter: RateLimiter
    private let trustedProxies: Set<String>
    private let metrics: ServerMetrics
    /// Requests passed on whose answer has not ended yet.
    private var passedOn = 0
    /// The request being refused: its body is dropped until its end, then it is answered.
    private var refusing: Refusal?
    /// The last `Date` header written, and the second it names.
    private var date: (second: Int, text: String) = (0, "")

    private struct Refusal {
        var method: String
        var wait: Duration
        var closes: Bool
        var started: ContinuousClock.Instant
    }

    /// Makes the handler of one connection over the middleware's per-client limiter.
    init(limiter: RateLimiter, trustedProxies: Set<String>, metrics: ServerMetrics) {
        self.limiter = limiter
        self.trustedProxies = trustedProxies
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if passedOn == 0, let wait = refusal(of: request, peer: context.remoteAddress?.ipAddress) {
                let closes = request.headerFields[values: .connection].contains { $0.lowercased().contains("close") }
                refusing = Refusal(method: request.method.rawValue, wait: wait, closes: closes, started: .now)
            } else {
                passedOn += 1
                context.fireChannelRead(data)
            }
        case .body:
            if refusing == nil { context.fireChannelRead(data) }
        case .end:
            if let refusal = refusing {
                refusing = nil
                answer(refusal, context: context)
            } else {
                context.fireChannelRead(data)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Never below 0: an answer Hummingbird writes for a request it never got (a malformed one) ends nothing here.
        if case .end = unwrapOutboundIn(data) { passedOn = max(0, passedOn - 1) }
        context.write(data, promise: promise)
    }

    /// How long the request's address must wait, when the per-client limit would refuse it now; nil to pass it on.
    private func refusal(of request: HTTPRequest, peer: String?) -> Duration? {
        guard Self.methods.contains(request.method), request.headerFields[.expect] == nil else { return nil }
        let target = request.path ?? "/"
        let path = target.firstIndex(where: { $0 == "?" || $0 == "#" }).map { String(target[..<$0]) } ?? target
        guard RateLimitMiddleware.countsPerClient(path), !WebPaths.isWeb(path) else { return nil }
        let address = ClientAddress.resolve(
            peer: peer, forwardedFor: request.headerFields[values: RateLimitMiddleware.forwardedFor], trustedProxies: trustedProxies)
        return limiter.wait(for: address)
    }

    private func answer(_ refusal: Refusal, context: ChannelHandlerContext) {
        let error = RateLimitMiddleware.tooMany(RateLimitMiddleware.perClientRequests, wait: refusal.wait)
        let body = ErrorMiddleware.envelope(error) ?? JSONBody.unencodable
        var fields = HTTPFields()
        fields[.date] = httpDate()
        fields[.server] = AccordServer.serverName
        fields[.contentType] = JSONBody.contentType
        fields[.contentLength] = String(body.readableBytes)
        fields[.retryAfter] = String(ErrorMiddleware.wholeSeconds(refusal.wait))
        if refusal.closes { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: error.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        if refusal.closes {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        metrics.request(method: refusal.method, route: Self.route, status: Int(error.status.code), duration: .now - refusal.started)
    }

    /// Now as an HTTP date, made again only when the second changes.
    private func httpDate() -> String {
        let second = Int(Date().timeIntervalSince1970)
        if second != date.second { date = (second, Self.httpDate(second: second)) }
        return date.text
    }

    /// A time as RFC 9110's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(second: Int) -> String {
        var time = time_t(second)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
    }
}
