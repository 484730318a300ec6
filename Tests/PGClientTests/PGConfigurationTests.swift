import Testing

@testable import PGClient

@Suite("connection strings never show passwords")
struct PGConfigurationTests {
    @Test(
        "redacts passwords in URIs and conninfo strings",
        arguments: [
            ("postgresql://accord:hunter2@db.example/accord", "postgresql://accord:***@db.example/accord"),
            ("postgresql://db.example/accord?user=a&password=hunter2&sslmode=require", "postgresql://db.example/accord?user=a&password=***&sslmode=require"),
            ("host=db user=a password=hunter2 dbname=x", "host=db user=a password=*** dbname=x"),
            ("host=db password='hun ter\\'2' dbname=x", "host=db password=*** dbname=x"),
            ("postgresql:///accord?host=/tmp/x", "postgresql:///accord?host=/tmp/x"),
        ])
    func redacts(input: String, expected: String) {
        #expect(PGConfiguration.redacting(input) == expected)
        #expect(!PGConfiguration(connectionString: input).description.contains("hunter2"))
    }

    @Test("a database override comes after the expanded string")
    func databaseOverride() {
        let configuration = PGConfiguration(connectionString: "postgresql:///accord").with(database: "other")
        #expect(configuration.keywordValuePairs.last! == ("dbname", "other"))
        #expect(configuration.description.contains("other"))
    }
}
