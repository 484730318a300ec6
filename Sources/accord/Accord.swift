import ArgumentParser

/// `accord`: the Accord customer-sync engine's command line.
@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord keeps customers in agreement between Stripe (or CSV files) and Visma e-conomic.",
        subcommands: [MigrateCommand.self, TenantCommand.self, ImportCommand.self, ProjectionsCommand.self, RebuildCommand.self]
    )
}
