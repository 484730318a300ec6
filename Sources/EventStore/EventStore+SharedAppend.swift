import PGClient

/// Shared commits: the transaction that ``AppendCombiner`` runs for the appends waiting in this process.
///
/// One round trip, one transaction, one commit for all of them. Per tenant, one statement checks every append's
/// expected version against its stream's head (read once, in the statement's snapshot) and inserts the events of
/// the appends whose every stream is where they expected — a stale append is skipped and fails alone, the others
/// commit. Subscribers are notified once per tenant, after the commit (``CommitNotifier``). Only what the check
/// cannot see fails the whole statement: another transaction inserting the same stream version first (a race on the
/// unique key), an unknown tenant, an event the table's checks refuse. Then each append is tried again in a
/// transaction of its own, so it fails or succeeds exactly as it would have alone. (Subtransactions per append — a
/// PL/pgSQL exception block each — were measured too: about 200 µs per append on top, more than the commit they
/// save; see docs/event-store.md.)
extension EventStore {
    /// Whether an append can ride in a shared transaction: its streams are distinct and each has an exact expected
    /// version. (`any` appends queue on a per-stream lock, which a set-based statement cannot take before its read.)
    static func canShare(_ appends: [StreamAppend]) -> Bool {
        !appends.isEmpty && !appends.contains { $0.expectedVersion == .any } && Set(appends.map(\.stream)).count == appends.count
    }

    /// Runs `units` in one shared transaction (a single unit in a transaction of its own).
    func runShared(_ units: [AppendUnit]) async -> [Result<[AppendResult], any Error>] {
        // Alone, an append takes the plain path: the shared statement's plan costs about 0.2 ms more to make, which a
        // commit shared by one append does not pay back.
        guard units.count > 1 else { return await runAlone(units) }
        let groups = units.groupedPositions(by: \.tenant)
        let tenants = groups.map { units[$0[0]].tenant }
        var statements: [PGQuery] = []
        for (index, (positions, tenant)) in zip(groups, tenants).enumerated() {
            // The first statement sets the role (row-level security applies) and quiets the insert trigger; each
            // tenant's statement then runs with that tenant's id set.
            statements.append(
                index == 0
                    ? DatabaseScope.tenant(tenant).statement(notifyAfterCommit: true)
                    : "SELECT set_config('accord.tenant_id', \(tenant.rawValue), true)")
            statements.append(Self.sharedStatement(positions.map { units[$0].appends }, of: tenant))
        }
        let outcome: Result<[PGRows], PGPipelineError>
        do {
            outcome = try await pool.withConnection { connection in try await connection.pipeline(transactions: [statements]) }[0]
        } catch {
            return units.map { .failure(EventStoreError.from(error, tenant: $0.tenant, stream: nil)) }
        }
        guard case .success(let rows) = outcome else { return await runAlone(units) }
        notifier.committed(tenants)
        var results: [Result<[AppendResult], any Error>] = units.map { _ in .success([]) }
        for (index, (members, tenant)) in zip(groups, tenants).enumerated() {
            do {
                let outcomes = try Self.sharedResults(rows[index * 2 + 1], units: members.map { units[$0].appends }, of: tenant)
                for (member, outcome) in zip(members, outcomes) { results[member] = outcome }
            } catch {
                for member in members { results[member] = .failure(error) }
            }
        }
        return results
    }

    /// Each unit in a transaction of its own, one after the other: a lone unit, or the units of a shared transaction
    /// that failed as a whole.
    private func runAlone(_ units: [AppendUnit]) async -> [Result<[AppendResult], any Error>] {
        var results: [Result<[AppendResult], any Error>] = []
        for unit in units {
            do {
                results.append(.success(try await appendAlone(unit.appends, of: unit.tenant)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// One tenant's part of a shared transaction: each append's head is read once (`appends`, materialised, one
    /// snapshot); a unit whose every stream is at its expected version is `ok`, and only its events are inserted,
    /// numbered from the head, in order. One row per append (with its head and whether its unit was ok), joined to
    /// the rows inserted into its stream.
    static func sharedStatement(_ units: [[StreamAppend]], of tenant: TenantID) -> PGQuery {
        var unitOfAppend: [Int32] = []
        var streams: [String] = []
        var expected: [Int64] = []
        var appendOfEvent: [Int64] = []
        var ordinals: [Int64] = []
        var columns = EventColumns()
        for (unitIndex, appends) in units.enumerated() {
            for append in appends {
                unitOfAppend.append(Int32(unitIndex + 1))
                streams.append(append.stream.rawValue)
                expected.append(append.expectedVersion.sqlValue)
                for (index, event) in append.events.enumerated() {
                    appendOfEvent.append(Int64(streams.count))
                    ordinals.append(Int64(index + 1))
                    columns.append(event)
                }
            }
        }
        return """
            WITH appends AS MATERIALIZED (
                SELECT a.n, a.unit, a.stream, a.expected,
                       coalesce((SELECT ev.stream_version FROM events AS ev
                                 WHERE ev.tenant_id = \(tenant.rawValue) AND ev.stream_id = a.stream
                                 ORDER BY ev.stream_version DESC LIMIT 1), 0) AS head
                FROM ROWS FROM (unnest(\(unitOfAppend)::int4[]), unnest(\(streams)::text[]), unnest(\(expected)::int8[]))
                     WITH ORDINALITY AS a(unit, stream, expected, n)
            ),
            ok AS (SELECT unit FROM appends GROUP BY unit HAVING bool_and(head = expected)),
            inserted AS (
                INSERT INTO events (tenant_id, stream_id, stream_version, type, schema_version, data, metadata)
                SELECT \(tenant.rawValue), ap.stream, ap.head + e.ord, e.type, e.schema_version, e.data, e.metadata
                FROM ROWS FROM (unnest(\(appendOfEvent)::int8[]), unnest(\(ordinals)::int8[]), unnest(\(columns.types)::text[]),
                                unnest(\(columns.schemaVersions)::int4[]), jsonb_array_elements(\(columns.payloads)::jsonb),
                                jsonb_array_elements(\(columns.metadata)::jsonb))
                     WITH ORDINALITY AS e(append, ord, type, schema_version, data, metadata, n)
                JOIN appends AS ap ON ap.n = e.append
                WHERE ap.unit IN (SELECT unit FROM ok)
                ORDER BY e.n
                RETURNING stream_id, stream_version, global_position
            )
            SELECT ap.n, ap.head, ap.unit IN (SELECT unit FROM ok), i.stream_version, i.global_position
            FROM appends AS ap LEFT JOIN inserted AS i ON i.stream_id = ap.stream
            ORDER BY ap.n, i.stream_version
            """
    }

    /// Each unit's result from a ``sharedStatement(_:of:)``: its appends' versions and positions, or a concurrency
    /// conflict naming its first stale stream (nothing of that unit was written).
    static func sharedResults(_ rows: PGRows, units: [[StreamAppend]], of tenant: TenantID) throws -> [Result<[AppendResult], any Error>] {
        let appends = units.flatMap { $0 }
        var heads = Array(repeating: Int64(0), count: appends.count)
        var committed = Array(repeating: false, count: appends.count)
        var versions = Array(repeating: Int64(0), count: appends.count)
        var positions = Array(repeating: [Int64](), count: appends.count)
        for (number, head, ok, version, position) in try rows.decode((Int64, Int64, Bool, Int64?, Int64?).self) {
            let index = Int(number) - 1
            heads[index] = head
            committed[index] = ok
            versions[index] = head
            if ok, let version, let position {
                versions[index] = max(versions[index], version)
                positions[index].append(position)
            }
        }
        var first = 0
        return units.map { unit in
            let range = first..<(first + unit.count)
            first += unit.count
            guard committed[range.lowerBound] else {
                let index = range.first { heads[$0] != appends[$0].expectedVersion.sqlValue } ?? range.lowerBound
                let stale = appends[index]
                return .failure(
                    EventStoreError(
                        code: .concurrencyConflict,
                        message: "stream \(stale.stream.rawValue) is at version \(heads[index]), not the expected \(stale.expectedVersion)",
                        tenant: tenant, stream: stale.stream, expectedVersion: stale.expectedVersion, actualVersion: heads[index]))
            }
            return .success(range.map { AppendResult(streamVersion: versions[$0], globalPositions: positions[$0]) })
        }
    }
}
