import Foundation
import Testing

@testable import PGClient

@Suite("PGQuery binds")
struct PGQueryTests {
    @Test("interpolated values become $n parameters, never SQL text")
    func interpolationBecomesBinds() {
        let name = "Robert'); DROP TABLE events;--"
        let limit = 5
        let query: PGQuery = "SELECT * FROM tenants WHERE name = \(name) LIMIT \(limit)"
        #expect(query.sql == "SELECT * FROM tenants WHERE name = $1 LIMIT $2")
        #expect(query.values == [name, "5"])
        #expect(query.typeOIDs == [PGTypeOID.unspecified, PGTypeOID.int8])
        #expect(!query.description.contains("DROP TABLE"))
    }

    @Test("nil is a NULL parameter")
    func nilIsNull() {
        let missing: String? = nil
        let query: PGQuery = "SELECT \(missing)::text"
        #expect(query.values == [nil])
    }

    @Test("appended fragments are renumbered, quoted text is left alone")
    func appendRenumbers() {
        var query: PGQuery = "SELECT 1 WHERE a = \(1)"
        query.append(" AND b = \(2) AND c = '$1' AND \"d$2\" = \(3)")
        #expect(query.sql == "SELECT 1 WHERE a = $1 AND b = $2 AND c = '$1' AND \"d$2\" = $3")
        #expect(query.values == ["1", "2", "3"])
    }

    @Test("identifiers are quoted with embedded quotes doubled")
    func identifiers() {
        let query: PGQuery = "LISTEN \(identifier: "a\"b")"
        #expect(query.sql == "LISTEN \"a\"\"b\"")
        #expect(query.values.isEmpty)
    }

    @Test("array parameters are escaped array literals")
    func arrays() {
        #expect(["a", "b \"c\"", "d\\e"].pgText == #"{"a","b \"c\"","d\\e"}"#)
        #expect([Int64(1), 2].pgText == #"{"1","2"}"#)
        #expect(PGNullableArray(["x", nil]).pgText == #"{"x",NULL}"#)
        #expect([String]().pgText == "{}")
    }

    @Test("bytea parameters use the hex format")
    func bytea() {
        #expect(Data([0x00, 0xAB, 0xFF]).pgText == #"\x00abff"#)
    }
}
