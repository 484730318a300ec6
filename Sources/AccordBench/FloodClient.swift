import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The flood's HTTP/1.1 client: keep-alive connections straight on NIO, one request at a time on each, and nothing
/// else — no redirects, tracing, connection-pool state machine or per-request URL parsing. A request costs a fraction
/// of what it costs through AsyncHTTPClient, so the flood spends as little as it can of the cores the server runs on
/// (on loopback the attacker's CPU is the server's; on the internet it is not).
final class FloodClient: Sendable {
    private let host: String
    private let port: Int
    private let group: any EventLoopGroup
    private let idle = Mutex<[any Channel]>([])

    /// Makes a client of `host:port` on `group`'s event loops; connections are opened as requests need them.
    init(host: String, port: Int, group: any EventLoopGroup) {
        self.host = host
        self.port = port
        self.group = group
    }

    /// Sends one request on an idle connection (or a new one) and returns the answer's status, or 0 when the
    /// connection failed or closed first.
    func send(_ head: HTTPRequestHead, body: ByteBuffer? = nil) async -> Int {
        do {
            let channel = try await checkout()
            let answer = channel.eventLoop.makePromise(of: Int.self)
            channel.writeAndFlush(FloodExchange(head: head, body: body, answer: answer), promise: nil)
            let status = try await answer.futureResult.get()
            idle.withLock { $0.append(channel) }
            return status
        } catch {
            return 0
        }
    }

    /// Closes the idle connections.
    func shutdown() {
        idle.withLock { channels in
            channels.forEach { $0.close(promise: nil) }
            channels.removeAll()
        }
    }

    private func checkout() async throws -> any Channel {
        while let channel = idle.withLock({ $0.popLast() }) {
            if channel.isActive { return channel }
        }
        return try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(FloodHandler())
                }
            }
            .connect(host: host, port: port).get()
    }
}

/// One request and the promise its answer's status fulfils.
struct FloodExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var answer: EventLoopPromise<Int>
}

/// Writes an exchange's request and fulfils its promise with the status once the whole answer has been read.
final class FloodHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = FloodExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var answer: EventLoopPromise<Int>?
    private var status = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        answer = exchange.answer
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body: break
        case .end:
            let answer = self.answer
            self.answer = nil
            answer?.succeed(status)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer?.fail(ChannelError.eof)
        answer = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer?.fail(error)
        answer = nil
        context.close(promise: nil)
    }
}
