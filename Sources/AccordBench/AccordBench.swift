import ArgumentParser

/// `accord-bench`: measurements of Accord's hot paths against a baseline taken in the same run.
/// Run through `ops/bench/*.sh`, which start a throwaway, durable PostgreSQL.
@main
struct AccordBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-bench",
        abstract: "Benchmarks that print rates and ratios against a baseline measured in the same run.",
        subcommands: [
            AppendBenchmark.self, ChaosBenchmark.self, CSVBenchmark.self, EncodeBenchmark.self, ImportBenchmark.self, InitialSyncBenchmark.self, RebuildBenchmark.self,
            ReplayBenchmark.self, SyncBenchmark.self, WebhooksBenchmark.self,
        ]
    )
}
