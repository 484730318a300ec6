import PGClient
import Runtime
import SyncEngine
import Testing

/// `accord serve`'s settings from the environment: defaults, values, and a specific error for each bad one.
@Suite("process configuration")
struct AppConfigurationTests {
    static let database = ["DATABASE_URL": "postgresql:///accord?host=/tmp"]

    @Test("unset keys take their defaults; set ones are read")
    func defaultsAndValues() throws {
        let defaults = try AppConfiguration.resolve(environment: Self.database)
        #expect(defaults.stripeCatchUpInterval == .seconds(60) && defaults.economicPollInterval == .seconds(30))
        #expect(defaults.webhookRetentionDays == 30 && defaults.outboundTenantInFlight == 4)
        #expect(defaults.database.preparesStatements)
        let set = try AppConfiguration.resolve(
            environment: Self.database.merging([
                "ACCORD_STRIPE_CATCH_UP_INTERVAL": "5", "ACCORD_ECONOMIC_POLL_INTERVAL": "7", "ACCORD_WEBHOOK_RETENTION_DAYS": "90",
                "ACCORD_OUTBOUND_TENANT_IN_FLIGHT": "2", "ACCORD_DB_PREPARED_STATEMENTS": "off",
            ]) { $1 })
        #expect(!set.database.preparesStatements)
        #expect(set.stripeCatchUpInterval == .seconds(5) && set.economicPollInterval == .seconds(7))
        #expect(set.webhookRetentionDays == 90 && set.outboundTenantInFlight == 2)
    }

    @Test("the reactor's shards, tasks and lease: defaults, and values from the environment")
    func reactorSharding() throws {
        #expect(try AppConfiguration.resolve(environment: Self.database).reactorSharding == ReactorSharding(shards: 8, tasks: 2, lease: .seconds(10)))
        let set = try AppConfiguration.resolve(
            environment: Self.database.merging(["ACCORD_REACTOR_SHARDS": "64", "ACCORD_REACTOR_TASKS": "4", "ACCORD_REACTOR_LEASE": "30"]) { $1 })
        #expect(set.reactorSharding == ReactorSharding(shards: 64, tasks: 4, lease: .seconds(30)))
    }

    @Test(
        "a value out of range or not a number names the key and the range",
        arguments: [
            ("ACCORD_WEBHOOK_RETENTION_DAYS", "0", "must be a whole number of days between 1 and 3650"),
            ("ACCORD_WEBHOOK_RETENTION_DAYS", "thirty", "must be a whole number of days between 1 and 3650"),
            ("ACCORD_ECONOMIC_POLL_INTERVAL", "86401", "must be a whole number of seconds between 1 and 86400"),
            ("ACCORD_OUTBOUND_TENANT_IN_FLIGHT", "-1", "must be a whole number of requests between 1 and 1000"),
            ("ACCORD_REACTOR_SHARDS", "0", "must be a whole number of shards between 1 and 4096"),
            ("ACCORD_REACTOR_TASKS", "many", "must be a whole number of tasks between 1 and 64"),
            ("ACCORD_REACTOR_LEASE", "0", "must be a whole number of seconds between 1 and 3600"),
            ("ACCORD_DB_PREPARED_STATEMENTS", "no", "must be on or off"),
        ])
    func badValues(key: String, value: String, problem: String) {
        #expect {
            try AppConfiguration.resolve(environment: Self.database.merging([key: value]) { $1 })
        } throws: { error in
            (error as? ConfigurationError).map { $0.key == key && $0.problem == problem } ?? false
        }
    }
}
