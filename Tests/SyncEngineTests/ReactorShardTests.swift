import EventStore
import Foundation
import PGClient
import PostgresTestSupport
import SyncDomain
@testable import SyncEngine
import Testing

/// The reactor by tenant: shards leased to one task at a time across instances (as across processes), tenants taking
/// turns within a shard, and decisions keyed by their cause so that a batch handled again issues nothing new.
@Suite("the reactor's shards and turns", .timeLimit(.minutes(5)))
struct ReactorShardTests {
    @Test("a batch handled again after a crash (its checkpoints not saved) issues nothing new")
    func replayedBatchIssuesNothing() async throws {
        try await EngineHarness.run { engine throws in
            for number in 1...4 {
                _ = try await engine.observe(.economic(number), ["name": "E\(number)", "email": "c\(number)@example.com", "currency": "DKK"])
            }
            try await engine.settle()
            // The checkpoints as they stood before the batch: restoring them afterwards is a crash after the batch's
            // appends and before its checkpoints were saved.
            let saved = try await reactorCheckpoints(engine)
            for number in 1...8 {
                _ = try await engine.observe(.stripe("cus_\(number)"), ["name": "S\(number)", "email": "c\(number)@example.com"])
            }
            try await engine.settle()
            let decided = try await engine.events()
            #expect(decided.filter(\.isLink).count == 4)
            #expect(decided.compactMap(\.economicWrite).filter { $0.kind == .create }.count == 4)

            try await restore(saved, engine)
            try await engine.settle()
            #expect(try await engine.events().count == decided.count)
        }
    }

    @Test("a match handled again after a crash, on a customer changed since, asks again under its request id: nothing is appended for it")
    func replayedMatchWithUpdateAppendsNothing() async throws {
        try await EngineHarness.run { engine throws in
            for number in 1...3 {
                _ = try await engine.observe(.economic(number), ["name": "E\(number)", "email": "c\(number)@example.com", "currency": "DKK"])
            }
            try await engine.settle()
            let saved = try await reactorCheckpoints(engine)
            // Matched by e-mail, with a phone e-conomic lacks: each match links and asks for an update of e-conomic.
            for number in 1...3 {
                _ = try await engine.observe(
                    .stripe("cus_\(number)"), ["name": "E\(number)", "email": "c\(number)@example.com", "phone": "+45 2000000\(number)"])
            }
            try await engine.settle()
            let decided = try await engine.events()
            #expect(decided.filter(\.isLink).count == 3)
            #expect(decided.compactMap(\.economicWrite).filter { $0.kind != .create }.count == 3)

            // Each Stripe customer then gains a city. A crash lost the checkpoints saved since the matches: the
            // matches are handled again on each customer as it is now — its pair linked, its phone asked for, and now
            // its city too — under the request id the match used (it derives from the observation). That request
            // exists, so the observation was decided: nothing is appended for it, the reactor goes on, and the
            // city follows from the later observation.
            for number in 1...3 {
                _ = try await engine.observe(
                    .stripe("cus_\(number)"),
                    ["name": "E\(number)", "email": "c\(number)@example.com", "phone": "+45 2000000\(number)", "address.city": "Odense"])
            }
            try await restore(saved, engine)
            try await engine.settle()
            let after = try await engine.events()
            let updates = after.compactMap(\.economicWrite).filter { $0.kind != .create }
            #expect(updates.count == 6)
            #expect(updates.filter { $0.patch.fields["city"]?.value == "Odense" }.count == 3, "the city is asked for, once per customer")
        }
    }

    @Test("two reactors share the shards; one stopped mid-way and a dead holder's lease: every decision made once, none left")
    func twoReactorsShareTheShards() async throws {
        try await EngineHarness.run { engine throws in
            var tenants = [engine.tenant]
            for name in ["bravo", "charlie", "delta", "echo", "foxtrot"] {
                tenants.append(try await engine.database.addTenant(name, pool: engine.store.pool))
            }
            for tenant in tenants {
                for number in 1...4 {
                    try await observe(.economic(number), "c\(number)@\(tenant).example", tenant: tenant, engine: engine)
                }
                for number in 1...8 {
                    try await observe(.stripe("cus_\(number)"), "c\(number)@\(tenant).example", tenant: tenant, engine: engine)
                }
            }
            let sharding = ReactorSharding(shards: 4, tasks: 2, lease: .seconds(5))
            // A process killed while it held shard 0: its lease lapses, and the shard is taken over.
            try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.execute(
                    """
                    INSERT INTO reactor_shards (shard_count, shard, holder, lease_until, turn_at)
                    VALUES (4, 0, 'killed-process/0', clock_timestamp() + interval '2 seconds', '-infinity')
                    """)
            }
            let first = reactor(engine, sharding: sharding)
            let second = reactor(engine, sharding: sharding)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await second.run() }
                try await withThrowingTaskGroup(of: Void.self) { stopped in
                    stopped.addTask { try await first.run() }
                    // The first is stopped as soon as it has decided something: mid-way, maybe mid-turn.
                    try await waitUntil { try await count(PartnerLinked.typeName, engine: engine).values.reduce(0, +) > 0 }
                    stopped.cancelAll()
                    try await stopped.waitForAll()
                }
                try await waitUntil {
                    let links = try await count(PartnerLinked.typeName, engine: engine)
                    let creations = try await count(PartnerCreationRequested.typeName, engine: engine)
                    guard tenants.allSatisfy({ links[$0] ?? 0 >= 4 && creations[$0] ?? 0 >= 4 }) else { return false }
                    return try await unhandled(engine: engine) == 0
                }
                group.cancelAll()
                try await group.waitForAll()
            }
            let links = try await count(PartnerLinked.typeName, engine: engine)
            let creations = try await count(PartnerCreationRequested.typeName, engine: engine)
            for tenant in tenants {
                #expect(links[tenant] == 4, "\(tenant): each matching customer linked once")
                #expect(creations[tenant] == 4, "\(tenant): each new customer's partner requested once")
            }
            let held = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query("SELECT count(*) FROM reactor_shards WHERE holder = 'killed-process/0'").singleValue(Int.self)
            }
            #expect(held == 0, "the dead holder's shard was taken over")
        }
    }

    @Test("a tenant's burst does not hold another tenant of the same shard behind it")
    func burstDoesNotHoldOthersBehind() async throws {
        try await EngineHarness.run { engine throws in
            let busy = engine.tenant
            let quiet = try await engine.database.addTenant("quiet", pool: engine.store.pool)
            for number in 1...30 {
                try await observe(.economic(number), "c\(number)@busy.example", tenant: busy, engine: engine)
            }
            for number in 1...30 {
                try await observe(.stripe("cus_\(number)"), "c\(number)@busy.example", tenant: busy, engine: engine)
            }
            // The quiet tenant's change comes after the whole burst in the log.
            try await observe(.economic(1), "one@quiet.example", tenant: quiet, engine: engine)
            try await observe(.stripe("cus_1"), "one@quiet.example", tenant: quiet, engine: engine)

            // Every event below the watermark first (other tests' transactions hold it back for a moment), so that the
            // first turn sees both tenants.
            try await waitUntil {
                try await engine.store.pool.withTransaction(scope: .system) { connection in
                    try await connection.query("SELECT NOT EXISTS (SELECT 1 FROM events WHERE txid >= pg_snapshot_xmin(pg_current_snapshot()))")
                        .singleValue(Bool.self) ?? false
                }
            }
            let reactor = Reactor(
                store: engine.store, cache: TenantStateCache(store: engine.store), listener: nil, batchSize: 10,
                sharding: ReactorSharding(shards: 1, tasks: 1), logger: engine.database.logger)
            // Other tests' transactions hold the watermark back for a moment: handle until every event is behind it.
            try await waitUntil {
                try await reactor.processPending()
                return try await unhandled(engine: engine) == 0
            }

            let links = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    "SELECT tenant_id, global_position FROM events WHERE type = \(PartnerLinked.typeName) ORDER BY global_position"
                )
                .decode((String, Int64).self)
            }
            let busyLinks = links.filter { $0.0 == busy.rawValue }.map(\.1)
            let quietLink = try #require(links.first { $0.0 == quiet.rawValue }?.1)
            #expect(busyLinks.count == 30)
            // One batch of 10 per tenant per turn: the quiet tenant's link is decided in the first turn, before any
            // of the busy tenant's (its first batch holds only e-conomic customers).
            #expect(busyLinks.filter { $0 > quietLink }.count == 30)
        }
    }

    @Test("a round takes turns of the shards with events to decide only, and moves the others' checkpoints without turns")
    func roundVisitsPendingShardsOnly() async throws {
        try await EngineHarness.run { engine throws in
            let sharding = ReactorSharding(shards: 8, tasks: 1)
            let reactor = reactor(engine, sharding: sharding)
            let shards = ReactorShards(store: engine.store, sharding: sharding)
            var others: [TenantID] = []
            for number in 1...3 { others.append(try await engine.database.addTenant("other-\(number)", pool: engine.store.pool)) }
            for (index, tenant) in ([engine.tenant] + others).enumerated() {
                try await observe(.economic(index + 1), "c@\(tenant).example", tenant: tenant, engine: engine)
            }
            try await waitUntil {
                try await reactor.processPending()
                return try await unhandled(engine: engine) == 0
            }
            #expect(try await shards.work()?.pending ?? [] == [])

            let busy = engine.tenant
            try await observe(.stripe("cus_1"), "new@\(busy).example", tenant: busy, engine: engine)
            let busyShard = try await shard(of: busy, count: sharding.shards, engine: engine)
            try await waitUntil { try await shards.work()?.pending == [busyShard] }
            let before = try await turnsTaken(engine)
            // A reactor of its own: its first round with a shard pending moves the idle shards (later ones, once a second).
            let round = try await self.reactor(engine, sharding: sharding).round(holder: "test/round")
            #expect(round.handled == 1)
            let after = try await turnsTaken(engine)
            #expect(Set(after.keys.filter { after[$0] != before[$0] }) == [busyShard], "only the busy tenant's shard took a turn")
            // The other shards' checkpoints followed the horizon in that round: the low-water mark passed the change.
            let (observed, low) = try await engine.store.pool.withTransaction(scope: .system) { connection in
                let observed = try await connection.query(
                    """
                    SELECT txid, global_position FROM events WHERE tenant_id = \(busy.rawValue) AND type = \(CustomerObserved.typeName)
                    ORDER BY global_position DESC LIMIT 1
                    """
                ).decode((UInt64, Int64).self)[0]
                return (
                    Checkpoint(transactionID: observed.0, globalPosition: observed.1),
                    try await engine.store.loadCheckpoint(projection: Reactor.checkpointName, version: 1, on: connection)
                )
            }
            #expect(low >= observed, "the low-water mark \(low) stayed behind the change at \(observed)")
            #expect(try await count(PartnerCreationRequested.typeName, engine: engine)[busy] == 1)
        }
    }

    @Test("a turn gives a tenant with a backlog further batches for the turn's length, then gives the shard back")
    func turnGoesOnForItsLength() async throws {
        try await EngineHarness.run { engine throws in
            for number in 1...12 {
                try await observe(.economic(number), "c\(number)@example.com", tenant: engine.tenant, engine: engine)
            }
            try await waitUntil {
                try await engine.store.pool.withTransaction(scope: .system) { connection in
                    try await connection.query("SELECT NOT EXISTS (SELECT 1 FROM events WHERE txid >= pg_snapshot_xmin(pg_current_snapshot()))")
                        .singleValue(Bool.self) ?? false
                }
            }
            func reactor(turnLength: Duration) -> Reactor {
                Reactor(
                    store: engine.store, cache: TenantStateCache(store: engine.store), listener: nil, batchSize: 5,
                    sharding: ReactorSharding(shards: 1, tasks: 1, turnLength: turnLength), logger: engine.database.logger)
            }
            // A turn of no length: one batch of 5, then the shard is given back.
            #expect(try await reactor(turnLength: .zero).round(holder: "test/short").handled == 5)
            // A long turn: the rest of the backlog (two more batches) in one turn.
            #expect(try await reactor(turnLength: .seconds(600)).round(holder: "test/long").handled == 7)
        }
    }

    @Test("a tenant's reactor lag counts its events after its furthest checkpoint: its own, its shard's or the low-water mark")
    func lagFromFurthestCheckpoint() async throws {
        try await EngineHarness.run { engine throws in
            let other = try await engine.database.addTenant("other-1", pool: engine.store.pool)
            try await observe(.economic(1), "a@example.com", tenant: engine.tenant, engine: engine)
            try await observe(.economic(2), "b@example.com", tenant: other, engine: engine)
            func behind() async throws -> [String: Int] {
                let rows = try await engine.store.pool.withTransaction(scope: .system) { connection in
                    try await Reactor.tenantsBehind(countingUpTo: 1_000, on: connection)
                }
                return Dictionary(uniqueKeysWithValues: rows.map { ($0.tenant, $0.events) })
            }
            func save(_ shard: String) async throws {
                try await engine.store.pool.withTransaction(scope: .system) { connection in
                    let last = try await connection.query("SELECT txid, global_position FROM events ORDER BY txid DESC, global_position DESC LIMIT 1")
                        .decode((UInt64, Int64).self)[0]
                    try await engine.store.saveCheckpoint(
                        Checkpoint(transactionID: last.0, globalPosition: last.1), projection: Reactor.checkpointName, version: 1, shard: shard,
                        on: connection)
                }
            }
            let unhandled = try await behind()
            #expect(unhandled[engine.tenant.rawValue, default: 0] >= 1 && unhandled[other.rawValue, default: 0] >= 1, "\(unhandled)")
            // The other tenant's own checkpoint at the log's end: it is not behind, though the low-water mark is.
            try await save("tenant/\(other)")
            #expect(try await behind()[other.rawValue] == nil)
            #expect(try await behind()[engine.tenant.rawValue] == unhandled[engine.tenant.rawValue])
            // The first tenant's shard's checkpoint (under 3 shards) at the log's end: it is not behind either.
            try await save("shard/3/\(try await shard(of: engine.tenant, count: 3, engine: engine))")
            #expect(try await behind() == [:])
        }
    }

    @Test("a tenant's next batch decides on a change another writer made to its partnering between turns, not on what its last batch left")
    func batchSeesPartneringChangedBetweenTurns() async throws {
        try await EngineHarness.run { engine throws in
            let e2 = CustomerRef.economic(2)
            let s2 = CustomerRef.stripe("cus_s2")
            try await observe(.economic(1), "e1@example.com", tenant: engine.tenant, engine: engine)
            try await observe(e2, "e2@example.com", tenant: engine.tenant, engine: engine)
            try await observe(.stripe("cus_a"), "a@example.com", tenant: engine.tenant, engine: engine)
            try await observe(.stripe("cus_b"), "b@example.com", tenant: engine.tenant, engine: engine)
            try await observe(s2, "e2@example.com", tenant: engine.tenant, engine: engine)
            try await observe(.stripe("cus_c"), "c@example.com", tenant: engine.tenant, engine: engine)
            // Every observation readable before the first round (another test's open transaction anywhere in the cluster
            // holds the watermark back): a round that saw only the first would shift the batches by one, and cus_s2
            // would be decided in the batch whose creations the turns below wait for.
            try await engine.waitUntilReadable()
            // One batch of two per turn, so the tenant is still behind after each turn and its batches' partnering is kept.
            let reactor = Reactor(
                store: engine.store, cache: TenantStateCache(store: engine.store), listener: nil, batchSize: 2,
                sharding: ReactorSharding(shards: 1, tasks: 1, turnLength: .zero), logger: engine.database.logger)
            // Turns until the two unmatched Stripe customers' creations are requested (cus_s2 not yet handled).
            try await waitUntil {
                _ = try await reactor.round(holder: "test/turns")
                return try await count(PartnerCreationRequested.typeName, engine: engine)[engine.tenant] == 2
            }
            // A person links cus_s2 to e-conomic 2 meanwhile: the partners stream moves past the kept partnering.
            _ = try await engine.handler.selectPartner(source: s2, economic: e2, tenant: engine.tenant, metadata: EngineHarness.user)
            try await waitUntil {
                try await reactor.processPending()
                return try await unhandled(engine: engine) == 0
            }
            // Decided on the kept partnering, cus_s2's observation would have matched e-conomic 2 by e-mail and linked
            // it a second time; decided on the current one, it is already linked.
            let linked = try await engine.store.pool.withTransaction(scope: .system) { connection in
                try await connection.query(
                    "SELECT count(*)::int FROM events WHERE type = \(PartnerLinked.typeName) AND data -> 'source' ->> 'id' = 'cus_s2'"
                ).singleValue(Int.self) ?? -1
            }
            #expect(linked == 1, "cus_s2 was linked \(linked) times")
            #expect(try await count(PartnerCreationRequested.typeName, engine: engine)[engine.tenant] == 3, "cus_c's partner is created")
        }
    }

    @Test("shards saved at the same time leave the low-water mark at the oldest of them, never behind every one")
    func lowWaterMarkFollowsConcurrentSaves() async throws {
        try await EngineHarness.run { engine throws in
            // Every shard moves to the same point at once, as the tasks of several processes finishing their turns: a
            // low-water mark computed from what each save saw before the others committed stayed one step behind all
            // of them for good (the reactor looked "one event behind" in a quiet log: chaos seeds 2, 7, 10, 12).
            let shards = ReactorShards(store: engine.store, sharding: ReactorSharding(shards: 8))
            for step in Int64(1)...40 {
                let point = Checkpoint(transactionID: UInt64(step), globalPosition: step)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for shard in 0..<8 { group.addTask { try await shards.save(point, ofShard: shard) } }
                    try await group.waitForAll()
                }
                let low = try await engine.store.pool.withTransaction(scope: .system) { connection in
                    try await engine.store.loadCheckpoint(projection: Reactor.checkpointName, version: 1, on: connection)
                }
                #expect(low == point, "step \(step): the low-water mark stayed at \(low)")
                if low != point { return }
            }
        }
    }

    @Test("the caught-up check finds the first event after the low-water mark by the log's index, also in a generic plan")
    func caughtUpReadsByIndex() async throws {
        try await EngineHarness.run { engine throws in
            try await fillLog(engine)
            let plan = try await engine.store.pool.withTransaction(scope: .system) { connection in
                // What a prepared statement runs from its sixth run on, when PostgreSQL judges the generic plan no
                // costlier: with a sequential scan there, an idle reactor read the whole log at every look.
                try await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                try await connection.execute(
                    PGQuery(unsafeSQL: "PREPARE caught_up AS " + ReactorShards.nothingAfter(Checkpoint(transactionID: 1, globalPosition: 1)).description))
                let plan = try await connection.query("EXPLAIN EXECUTE caught_up('1', 1)").decode(String.self)
                try await connection.execute("DEALLOCATE caught_up")
                return plan
            }
            #expect(!plan.contains { $0.contains("Seq Scan") }, "\(plan.joined(separator: "\n"))")
            #expect(plan.contains { $0.contains("events_txid_position") })
        }
    }

    @Test("a round probes each tenant's events by index, even where the planner would rather join the whole log")
    func roundProbesByIndex() async throws {
        try await EngineHarness.run { engine throws in
            try await fillLog(engine)
            let shards = ReactorShards(store: engine.store, sharding: ReactorSharding(shards: 8))
            let plan = try await engine.store.pool.withTransaction(scope: .system) { connection in
                // Nested loops discouraged, as the planner's estimates did in webhooks.sh (a never-analysed `tenants`
                // is taken for 810 rows): with EXISTS it then hashed every event of the log at every round.
                try await connection.execute("SET LOCAL enable_nestloop = off")
                return try await connection.query("EXPLAIN \(shards.roundStatement)").decode(String.self)
            }
            #expect(!plan.contains { $0.contains("Seq Scan on events") }, "\(plan.joined(separator: "\n"))")
            _ = try await shards.work()  // and it runs as the reactor runs it
        }
    }

    /// 3,000 events of the harness's tenant, analysed: enough for the planner to prefer an index where it can.
    private func fillLog(_ engine: EngineHarness) async throws {
        let events = (1...1000).map { NewEvent(type: "Filler", data: PGJSON(text: #"{"n": \#($0)}"#), metadata: EventMetadata(actor: "test")) }
        for stream in ["filler-1", "filler-2", "filler-3"] {
            try await engine.store.append(events, to: StreamID(stream), of: engine.tenant, expecting: .noStream)
        }
        try await engine.store.pool.withConnection { try await $0.execute("ANALYZE events") }
    }

    // MARK: Helpers

    private func reactor(_ engine: EngineHarness, sharding: ReactorSharding) -> Reactor {
        Reactor(
            store: engine.store, cache: TenantStateCache(store: engine.store), listener: nil, batchSize: 5, pollInterval: .milliseconds(50),
            sharding: sharding, logger: engine.database.logger)
    }

    private func observe(_ customer: CustomerRef, _ email: String, tenant: TenantID, engine: EngineHarness) async throws {
        var fields = ["name": "\(customer)", "email": email]
        if customer.system == .economic { fields["currency"] = "DKK" }
        _ = try await engine.handler.observeCustomer(
            CustomerObserved(customer: customer, fields: fields), tenant: tenant, metadata: EngineHarness.user)
    }

    /// How many events of a type each tenant has.
    private func count(_ type: String, engine: EngineHarness) async throws -> [TenantID: Int] {
        let rows = try await engine.store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT tenant_id, count(*)::int FROM events WHERE type = \(type) GROUP BY tenant_id").decode(
                (String, Int).self)
        }
        return Dictionary(uniqueKeysWithValues: try rows.map { (try TenantID($0.0), $0.1) })
    }

    /// The shard a tenant belongs to (as ``ReactorShards`` spreads them).
    private func shard(of tenant: TenantID, count: Int, engine: EngineHarness) async throws -> Int {
        try await engine.store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT mod(mod(hashtextextended(\(tenant.rawValue), 0), \(count)) + \(count), \(count))::int8")
                .singleValue(Int.self) ?? -1
        }
    }

    /// When each shard last took a turn.
    private func turnsTaken(_ engine: EngineHarness) async throws -> [Int: String] {
        let rows = try await engine.store.pool.withTransaction(scope: .system) { connection in
            try await connection.query("SELECT shard::int8, turn_at::text FROM reactor_shards WHERE shard_count = 8").decode((Int, String).self)
        }
        return Dictionary(uniqueKeysWithValues: rows)
    }

    /// Events the reactor's low-water mark does not cover yet.
    private func unhandled(engine: EngineHarness) async throws -> Int {
        try await engine.store.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT count(*) FROM events e WHERE NOT EXISTS (
                    SELECT 1 FROM projection_checkpoints c WHERE c.projection = \(Reactor.checkpointName) AND c.shard = 'all'
                      AND (e.txid, e.global_position) <= (c.txid, c.global_position))
                """
            ).singleValue(Int.self) ?? 0
        }
    }

    private func waitUntil(timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the condition did not hold within \(timeout)")
    }
}

/// The reactor's checkpoints as they stand.
private func reactorCheckpoints(_ engine: EngineHarness) async throws -> [(String, String, Int64)] {
    let saved = try await engine.store.pool.withTransaction(scope: .system) { connection in
        try await connection.query(
            "SELECT shard, txid::text, global_position FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)"
        ).decode((String, String, Int64).self)
    }
    #expect(!saved.isEmpty)
    return saved
}

/// Puts the reactor's checkpoints back as `saved` had them: a crash after a batch's appends, before its checkpoints.
private func restore(_ saved: [(String, String, Int64)], _ engine: EngineHarness) async throws {
    try await engine.store.pool.withTransaction(scope: .system) { connection in
        try await connection.execute("DELETE FROM projection_checkpoints WHERE projection = \(Reactor.checkpointName)")
        for (shard, txid, position) in saved {
            try await connection.execute(
                """
                INSERT INTO projection_checkpoints (projection, version, shard, txid, global_position)
                VALUES (\(Reactor.checkpointName), 1, \(shard), \(txid)::xid8, \(position))
                """)
        }
    }
}
