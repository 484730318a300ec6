public import Foundation
public import Logging

/// What a chaos run needs: a PostgreSQL cluster, a Python with localstripe, the script's length, and how long the
/// sync may take to come to rest.
public struct ChaosConfiguration: Sendable {
    /// A libpq URL of the cluster (`DATABASE_URL`), as a role that may create databases and end sessions.
    public var databaseURL: String
    /// A Python with localstripe installed (`ACCORD_PYTHON`).
    public var python: String
    /// `ops/localstripe.py`.
    public var localStripeScript: String
    /// Operations per seed.
    public var length: Int
    /// How long the sync may take to come to rest after the last operation.
    public var settleTimeout: Duration
    /// How many seeds run at the same time (each with its own database, sandbox, localstripe and Accord).
    public var parallel: Int
    /// Accord's and the run's log (each operation at debug level).
    public var logger: Logger
    /// The command that replays a seed (seed, length), printed for the first failing one.
    public var replayCommand: @Sendable (UInt64, Int) -> String
    /// Receives each seed's report when it is done (the benchmark prints it).
    public var onSeed: @Sendable (ChaosSeedReport) -> Void
    /// Where a failing seed's event log is written (`seed-N.events.tsv`) before its database is dropped: the log is
    /// the record of what Accord decided and why, for a failure that does not replay. `nil`: not kept.
    public var evidenceDirectory: URL?

    /// Makes a configuration.
    public init(
        databaseURL: String, python: String, localStripeScript: String, length: Int, settleTimeout: Duration = .seconds(300), parallel: Int = 1,
        logger: Logger,
        replayCommand: @escaping @Sendable (UInt64, Int) -> String, onSeed: @escaping @Sendable (ChaosSeedReport) -> Void = { _ in }
    ) {
        self.databaseURL = databaseURL
        self.python = python
        self.localStripeScript = localStripeScript
        self.length = length
        self.settleTimeout = settleTimeout
        self.parallel = max(parallel, 1)
        self.logger = logger
        self.replayCommand = replayCommand
        self.onSeed = onSeed
    }

    /// From the environment `ops/test.sh` sets: `DATABASE_URL`, `ACCORD_PYTHON`; `ops/localstripe.py` found from
    /// `checkout` (the repository's root).
    /// - Throws: ``ChaosSetupError`` naming what is missing.
    public static func fromEnvironment(
        checkout: URL, length: Int, logger: Logger, replayCommand: @escaping @Sendable (UInt64, Int) -> String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ChaosConfiguration {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw ChaosSetupError(description: "DATABASE_URL is not set: run with `bash ops/test.sh` or `bash ops/bench/chaos.sh`")
        }
        guard let python = environment["ACCORD_PYTHON"], !python.isEmpty else {
            throw ChaosSetupError(description: "ACCORD_PYTHON (a Python with localstripe) is not set: run with `bash ops/test.sh`")
        }
        return ChaosConfiguration(
            databaseURL: url, python: python, localStripeScript: checkout.appendingPathComponent("ops/localstripe.py").path, length: length,
            logger: logger, replayCommand: replayCommand)
    }
}
