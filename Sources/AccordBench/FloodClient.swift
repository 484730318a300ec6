import NIOCore
import NIOHTTP1
import NIOPosix

/// The flood's HTTP/1.1 client: keep-alive connections straight on NIO, one request at a time on each, and nothing
/// else — no redirects, tracing, connection-pool state machine or per-request URL parsing.
///
/// A flood runs wholly on the client's one event loop: the pacing, the requests, the answers and their tally are loop
/// callbacks, never Swift tasks. On loopback the attacker's CPU is the server's; on the internet it is not. A task per
/// request would run on the same cooperative threads as the server's handlers and workers and delay them as no real
/// attacker could, so the flood spends as little as it can of the cores the server runs on, and none of its threads.
final class FloodClient: Sendable {
    private let host: String
    private let port: Int
    private let loop: any EventLoop
    /// Idle keep-alive connections, touched only on ``loop``.
    private let idle: NIOLoopBoundBox<[any Channel]>

    /// Makes a client of `host:port` on `loop`; connections are opened as requests need them.
    init(host: String, port: Int, loop: any EventLoop) {
        self.host = host
        self.port = port
        self.loop = loop
        self.idle = .makeBoxSendingValue([], eventLoop: loop)
    }

    /// What a flood got back: the answers by status (0: the connection failed or closed first), and the sends skipped
    /// because `maxInFlight` requests were waiting.
    struct Tally: Sendable {
        var statuses: [Int: Int] = [:]
        var skipped = 0
    }

    /// Sends `count` requests, `rate` per second (the requests due in the same 10 ms go together), at most
    /// `maxInFlight` waiting at once; `request(i)` makes the i-th request on the loop.
    func flood(
        count: Int, rate: Double, maxInFlight: Int, request: @escaping @Sendable (Int) -> (head: HTTPRequestHead, body: ByteBuffer?)
    ) async throws -> Tally {
        let done = loop.makePromise(of: Tally.self)
        loop.execute {
            FloodRun(client: self, count: count, rate: rate, maxInFlight: maxInFlight, request: request, done: done).start()
        }
        return try await done.futureResult.get()
    }

    /// Closes the idle connections.
    func shutdown() {
        loop.execute { [idle] in
            idle.value.forEach { $0.close(promise: nil) }
            idle.value.removeAll()
        }
    }

    /// Sends one request on an idle connection (or a new one); on the loop. The future holds the answer's status, or
    /// 0 when the connection failed or closed first.
    fileprivate func send(_ head: HTTPRequestHead, body: ByteBuffer?) -> EventLoopFuture<Int> {
        loop.assertInEventLoop()
        return checkout().flatMap { channel in
            let answer = channel.eventLoop.makePromise(of: Int.self)
            channel.writeAndFlush(FloodExchange(head: head, body: body, answer: answer), promise: nil)
            return answer.futureResult.assumeIsolated().map { status in
                self.idle.value.append(channel)
                return status
            }.nonisolated()
        }.recover { _ in 0 }
    }

    private func checkout() -> EventLoopFuture<any Channel> {
        while let channel = idle.value.popLast() {
            if channel.isActive { return loop.makeSucceededFuture(channel) }
        }
        return ClientBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(FloodHandler())
                }
            }
            .connect(host: host, port: port)
    }
}

/// One flood's pacing and tally, on the client's loop only.
private final class FloodRun {
    let client: FloodClient
    let count: Int
    let rate: Double
    let maxInFlight: Int
    let request: (Int) -> (head: HTTPRequestHead, body: ByteBuffer?)
    let done: EventLoopPromise<FloodClient.Tally>
    let began = NIODeadline.now()
    var next = 0
    var inFlight = 0
    var tally = FloodClient.Tally()
    var finished = false

    init(
        client: FloodClient, count: Int, rate: Double, maxInFlight: Int, request: @escaping (Int) -> (head: HTTPRequestHead, body: ByteBuffer?),
        done: EventLoopPromise<FloodClient.Tally>
    ) {
        self.client = client
        self.count = count
        self.rate = rate
        self.maxInFlight = maxInFlight
        self.request = request
        self.done = done
    }

    /// Sends the requests due now, then again every 10 ms until every request has been sent or skipped.
    func start() {
        sendDue()
        if next < count {
            done.futureResult.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(10)) { self.start() }
        } else {
            finishIfDone()
        }
    }

    private func sendDue() {
        let due = WebhookLoad.due(count: count, rate: rate, after: Double((NIODeadline.now() - began).nanoseconds) / 1e9)
        while next < due {
            let index = next
            next += 1
            guard inFlight < maxInFlight else {
                tally.skipped += 1
                continue
            }
            inFlight += 1
            let (head, body) = request(index)
            client.send(head, body: body).assumeIsolated().whenSuccess { status in
                self.inFlight -= 1
                self.tally.statuses[status, default: 0] += 1
                self.finishIfDone()
            }
        }
    }

    private func finishIfDone() {
        guard next == count, inFlight == 0, !finished else { return }
        finished = true
        done.succeed(tally)
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
