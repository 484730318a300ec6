import EconomicSandbox
import EventStore
import Foundation
import Logging
import PGClient
import Runtime
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Times an async block.
func measure<Result>(_ body: () async throws -> Result) async rethrows -> (Result, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = try await body()
    return (result, clock.now - start)
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// Formats a rate with thousands separators.
func rate(_ count: Int, _ duration: Duration) -> String {
    let perSecond = Double(count) / max(duration.seconds, 1e-9)
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: perSecond)) ?? String(Int(perSecond))
}

/// The benchmark's database at `url`; `ACCORD_DB_PREPARED_STATEMENTS=off` in the environment turns prepared statements
/// off, read as `accord serve` reads it (to measure what they bring).
func benchDatabase(_ url: String) throws -> PGConfiguration {
    PGConfiguration(connectionString: url, applicationName: "accord-bench", preparesStatements: try AppConfiguration.preparesStatements())
}

/// Connects, migrates a fresh database and adds the benchmark tenant.
func prepareDatabase(url: String, logger: Logger, maxConnections: Int) async throws -> (PGConnectionPool, TenantID) {
    let pool = PGConnectionPool(
        configuration: try benchDatabase(url),
        maxConnections: maxConnections, logger: logger)
    let migrator = Migrator(migrations: try Migration.load(from: try MigrationsDirectory.locate()), logger: logger)
    try await migrator.migrate(pool: pool)
    let tenant = try TenantID("bench")
    if try await !TenantDirectory(pool: pool).contains(tenant) {
        try await TenantDirectory(pool: pool).add(tenant, name: "Benchmark")
    }
    return (pool, tenant)
}

/// The server's version and durability settings, printed with every benchmark.
func serverSettings(_ pool: PGConnectionPool) async throws -> String {
    try await pool.withConnection { connection in
        let rows = try await connection.query(
            "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('shared_buffers')"
        )
        let (version, fsync, synchronousCommit, sharedBuffers) = try rows.decode((String, String, String, String).self)[0]
        return "PostgreSQL \(version), fsync=\(fsync), synchronous_commit=\(synchronousCommit), shared_buffers=\(sharedBuffers), "
            + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs"
    }
}

/// Prints one result line: a label padded to a column, the figure right-aligned, its unit and a note.
func report(_ label: String, _ figure: String, _ unit: String, _ note: String) {
    let paddedLabel = (label + ":").padding(toLength: max(64, label.count + 2), withPad: " ", startingAt: 0)
    let paddedFigure = String(repeating: " ", count: max(0, 10 - figure.count)) + figure
    let paddedUnit = unit.padding(toLength: 10, withPad: " ", startingAt: 0)
    print("\(paddedLabel) \(paddedFigure) \(paddedUnit) (\(note))")
}

/// `1.23 s`
func seconds(_ duration: Duration) -> String { String(format: "%.2f s", duration.seconds) }

/// The process's peak resident memory so far (`ru_maxrss`), in MB.
func peakResidentMB() -> Int {
    var usage = rusage()
    #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss) / 1_048_576  // bytes on Darwin
    #else
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) / 1024  // KiB on Linux
    #endif
}

/// `1,000,000`
func thousands(_ value: Int) -> String {
    let digits = String(value)
    var result = ""
    for (index, character) in digits.reversed().enumerated() {
        if index > 0, index % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return String(result.reversed())
}

/// Runs `accord serve`'s service group of `services` beside an in-process e-conomic sandbox, hands `body` the
/// sandbox's and Accord's URLs once both listen, then shuts everything down gracefully (also when `body` throws).
func runBesideSandbox(
    _ services: AccordServices, logger: Logger, _ body: (_ sandboxURL: String, _ accordURL: String) async throws -> Void
) async throws {
    let (sandboxPorts, sandboxPort) = AsyncStream.makeStream(of: Int.self)
    let (serverPorts, serverPort) = AsyncStream.makeStream(of: Int.self)
    let sandbox = try await buildSandboxApplication(configuration: SandboxConfiguration(port: 0, seed: .referenceData), logger: logger) {
        sandboxPort.yield($0)
    }
    let group = services.serviceGroup(onServerRunning: { serverPort.yield($0) }, additional: [sandbox], handleSignals: true)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        defer { tasks.cancelAll() }
        var sandboxIterator = sandboxPorts.makeAsyncIterator()
        var serverIterator = serverPorts.makeAsyncIterator()
        guard let sandboxPort = await sandboxIterator.next(), let serverPort = await serverIterator.next() else { return }
        do {
            try await body("http://127.0.0.1:\(sandboxPort)", "http://127.0.0.1:\(serverPort)")
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// Runs `body` for 0..<count with at most `limit` calls at once; returns the results in index order.
@discardableResult
func concurrently<T: Sendable>(_ count: Int, limit: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
    try await withThrowingTaskGroup(of: (Int, T).self) { tasks in
        var results: [Int: T] = [:]
        var next = 0
        while next < min(limit, count) {
            let index = next
            tasks.addTask { (index, try await body(index)) }
            next += 1
        }
        while let (index, result) = try await tasks.next() {
            results[index] = result
            if next < count {
                let index = next
                tasks.addTask { (index, try await body(index)) }
                next += 1
            }
        }
        return (0..<count).map { results[$0]! }
    }
}
