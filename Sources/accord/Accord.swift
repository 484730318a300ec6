import ArgumentParser

/// `accord`: the Accord customer-sync engine's command line.
@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord keeps customers in agreement between Stripe (or CSV files) and Visma e-conomic.",
        subcommands: [
            ServeCommand.self, DemoCommand.self, MigrateCommand.self, TenantCommand.self, SettingsCommand.self, ImportCommand.self,
            StripeCommand.self,
            EconomicCommand.self, HistoryCommand.self, ReplayCommand.self, ProjectionsCommand.self, RebuildCommand.self, VerifyCommand.self,
            SandboxCommand.self,
            MasterKeyCommand.self,
        ]
    )
}
