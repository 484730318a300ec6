import Credentials
import EventStore
import Synchronization
import Testing

@testable import Server

/// Made-up API keys are refused from memory: a flood of them reads the key ids at most once per gap, never once per
/// request, while a key made a moment ago (elsewhere) works at once.
@Suite("API key ids in memory", .timeLimit(.minutes(2)))
struct APIKeyDirectoryTests {
    @Test("400 made-up keys at once cost at most a read of the ids per gap; known, new and revoked keys get the store's verdict")
    func madeUpKeysCostNoQueries() async throws {
        let keys = MemoryAPIKeys()
        let acme = try TenantID("acme")
        let known = keys.create(tenant: acme)
        let reads = Atomic<Int>(0)
        let directory = APIKeyDirectory(
            keys: keys,
            ids: {
                reads.add(1, ordering: .relaxed)
                return keys.ids
            }, gap: .milliseconds(200))

        #expect(try await directory.authenticate(known) == .valid(tenant: acme, keyID: String(known.dropFirst(3).prefix(16))))
        #expect(reads.load(ordering: .relaxed) == 1)

        let started = ContinuousClock.now
        let verdicts = try await withThrowingTaskGroup(of: APIKeyStore.Verdict.self) { group in
            for _ in 0..<400 {
                group.addTask { try await directory.authenticate(keys.madeUp()) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = ContinuousClock.now - started
        #expect(verdicts.allSatisfy { $0 == .unknown })
        let floodReads = reads.load(ordering: .relaxed) - 1
        // One read per gap at most: the flood lasted `elapsed`, so no more than elapsed / gap + 1 reads.
        #expect(floodReads >= 1 && Double(floodReads) <= elapsed / .milliseconds(200) + 1, "\(floodReads) reads in \(elapsed)")

        let made = keys.create(tenant: acme)
        #expect(try await directory.authenticate(made) != .unknown, "a key made after the last read works")
        let keyID = String(made.dropFirst(3).prefix(16))
        keys.revoke(keyID: keyID, tenant: acme)
        #expect(try await directory.authenticate(made) == .revoked)
        #expect(try await directory.verify(keyID: keyID) == .revoked)
        #expect(try await directory.verify(keyID: "0000000000000000") == .unknown)
    }
}
