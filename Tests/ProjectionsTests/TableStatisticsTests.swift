import Testing

@testable import Projections

/// When a projector's tables get fresh planner statistics (pure: counts only).
@Suite("table statistics schedule")
struct TableStatisticsTests {
    /// The counts of events applied at which a refresh came due, for batches of the given sizes.
    private func refreshes(_ batches: [Int]) -> [Int] {
        var statistics = TableStatistics()
        var due: [Int] = []
        for batch in batches where statistics.applied(batch) { due.append(statistics.applied) }
        return due
    }

    @Test("refreshed after the first thousand events, then each time the count doubles, at least every 100,000")
    func schedule() {
        #expect(refreshes([999]).isEmpty)
        #expect(refreshes([999, 1, 999, 1, 1_999, 1]) == [1_000, 2_000, 4_000])
        #expect(refreshes([4_000] + Array(repeating: 1_000, count: 1_000)) == [
            4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 228_000, 328_000, 428_000, 528_000, 628_000, 728_000, 828_000, 928_000,
        ])
        // A batch larger than the gap refreshes once.
        #expect(refreshes([50_000, 1]) == [50_000])
    }

    @Test("statistics are kept of every column plans use, not of the JSON documents")
    func analyzedColumns() throws {
        let customers = try #require(CustomersProjector().tables.first { $0.name == "customers" })
        let analyzed = Set(customers.analyzedColumns)
        #expect(analyzed.isSuperset(of: customers.primaryKey + customers.indexes.joined()))
        #expect(analyzed.isDisjoint(with: ["fields", "match_failure", "mapping_failure", "mapped"]))
        #expect(analyzed.contains("email") && analyzed.contains("name"))
    }
}
