import Connectors
import EventSourcing
import EventStore
import Foundation
import Outbound
import PGClient
import Projections
import Runtime
import SyncDomain
import SyncEngine
import Testing

/// Issue 11's mapping bug, end to end: customers synced under a wrong mapping, the fix previewed with the replay, saved,
/// applied to the customers it concerns — and to no one else —, saved again without effect.
@Suite("end to end: a mapping bug previewed and fixed", .timeLimit(.minutes(12)))
struct MappingBugEndToEndTests {
    /// Stripe's phone sent to e-conomic's mobile phone instead of its telephone number.
    static func wrongPhoneMapping(_ settings: inout TenantSettings) {
        settings.fieldMappings = settings.fieldMappings.map {
            $0.economic == EconomicField.telephoneAndFaxNumber.rawValue ? FieldMapping("phone", to: "mobilePhone") : $0
        }
    }

    @Test("replay shows exactly the customers and fields a fixed mapping changes; saving it patches those customers once, nothing else")
    func mappingBug() async throws {
        try await EndToEnd.run(settings: Self.wrongPhoneMapping) { e2e in
            let phones = ["anna": "+45 11 11 11 11", "bo": "+45 22 22 22 22"]
            var stripeIDs: [String: String] = [:]
            for name in ["anna", "bo", "carl"] {
                var fields: [StripeCustomerField: String] = [.name: "\(name.capitalized) ApS", .email: "\(name)@\(e2e.domain)"]
                fields[.phone] = phones[name]
                stripeIDs[name] = try await e2e.stripe.createCustomer(fields: fields).id
            }
            try await e2e.eventually("three customers in e-conomic, their numbers written back, nothing left to send") {
                try await Self.isQuiet(e2e, customers: 3, stripeIDs: Array(stripeIDs.values))
            }
            var numbers: [String: Int] = [:]
            for customer in try await e2e.economicCustomers() {
                let name = try #require(customer.email?.split(separator: "@").first.map(String.init))
                numbers[name] = customer.customerNumber
                #expect(customer.mobilePhone == phones[name], "the bug: the phone went to the mobile phone")
                #expect(customer.telephoneAndFaxNumber == nil)
            }
            let anna = CustomerRef.stripe(try #require(stripeIDs["anna"]))
            let bo = CustomerRef.stripe(try #require(stripeIDs["bo"]))

            // The fix, previewed: only Anna and Bo, only the two phone fields.
            let current = try await e2e.services.commands.settings(of: e2e.tenant)
            var fixed = current
            fixed.fieldMappings = current.fieldMappings.map {
                $0.economic == "mobilePhone" ? FieldMapping("phone", to: EconomicField.telephoneAndFaxNumber.rawValue) : $0
            }
            let report = try await ReplayQueries(store: e2e.services.store).fold(tenant: e2e.tenant, proposal: fixed, at: nil) { _ in }.report()
            let changed: Set<CustomerRef> = Set(report.customers.map(\.customer))
            #expect(changed == [anna, bo])
            for (customer, phone) in [(anna, phones["anna"]), (bo, phones["bo"])] {
                let entry = try #require(report.customers.first { $0.customer == customer })
                #expect(
                    entry.differences == [
                        FieldDifference(field: "mobilePhone", sent: phone, proposed: nil),
                        FieldDifference(field: "telephoneAndFaxNumber", sent: nil, proposed: phone),
                    ])
                #expect(!entry.matchChanged)
            }
            #expect(report.summary.fieldChanges == ["mobilePhone": 2, "telephoneAndFaxNumber": 2])
            #expect(report.summary.wouldUpdate == 2 && report.summary.wouldCreate == 0 && report.summary.matchChanged == 0)

            // Saved: one patch for each of Anna and Bo, carrying the telephone number; nothing for Carl.
            let user = CommandMetadata(actor: "user:test")
            let before = try await Self.tenantEvents(e2e).count
            try await e2e.services.commands.updateSettings(fixed, expectedVersion: current.version, tenant: e2e.tenant, metadata: user)
            try await e2e.eventually("the telephone numbers reach e-conomic and nothing is left to send") {
                for name in ["anna", "bo"] {
                    guard try await e2e.economic.customer(number: numbers[name] ?? 0)?.telephoneAndFaxNumber == phones[name] else { return false }
                }
                return try await Self.isQuiet(e2e, customers: 3, stripeIDs: Array(stripeIDs.values))
            }
            try await e2e.eventually("the change of mappings has been applied to every linked pair") {
                try await SettingsApplications(store: e2e.services.store).latest(of: e2e.tenant)?.state == .finished
            }
            let application = try #require(try await SettingsApplications(store: e2e.services.store).latest(of: e2e.tenant))
            #expect(application.done == 3 && application.total == 3, "\(application)")
            let patches = try await Self.tenantEvents(e2e).dropFirst(before).compactMap { event -> EconomicWriteRequested? in
                if case .economicWriteRequested(let write) = event.event { write } else { nil }
            }
            #expect(patches.count == 2, "one patch per affected customer: \(patches.map(\.patch))")
            for (customer, name) in [(anna, "anna"), (bo, "bo")] {
                let patch = try #require(patches.first { $0.source == customer })
                let number = try #require(numbers[name])
                #expect(patch.kind == .update(customerNumber: number))
                #expect(patch.patch.fields.keys.sorted() == ["telephoneAndFaxNumber"])
                #expect(patch.patch.fields["telephoneAndFaxNumber"]?.value == phones[name])
            }
            let carlNumber = try #require(numbers["carl"])
            let carl = try #require(try await e2e.economic.customer(number: carlNumber))
            #expect(carl.telephoneAndFaxNumber == nil && carl.mobilePhone == nil, "Carl, without a phone, is untouched")

            // Saved again: nothing is sent.
            let saved = try await e2e.services.commands.settings(of: e2e.tenant)
            #expect(saved.version == current.version + 1)
            let settled = try await Self.tenantEvents(e2e).count
            try await e2e.services.commands.updateSettings(fixed, expectedVersion: saved.version, tenant: e2e.tenant, metadata: user)
            #expect(try await e2e.services.commands.settings(of: e2e.tenant).version == saved.version, "the same settings are no change")
            try await e2e.eventually("the reactor has seen the whole log") { try await Self.reactorCaughtUp(e2e) }
            let after = try await Self.tenantEvents(e2e).dropFirst(settled)
            #expect(!after.contains { if case .economicWriteRequested = $0.event { true } else { false } }, "nothing more is sent")
        }
    }

    /// Every customer in e-conomic, every Stripe customer carrying its number, and no request pending or in flight.
    static func isQuiet(_ e2e: EndToEnd, customers: Int, stripeIDs: [String]) async throws -> Bool {
        guard try await e2e.economicCustomers().count == customers else { return false }
        for id in stripeIDs {
            guard case .customer(let customer) = try await e2e.stripe.customer(id: id), customer.metadata[EndToEnd.writeBackKey] != nil else {
                return false
            }
        }
        let counts = try await OutboundQueue(store: e2e.services.store).counts(for: e2e.tenant)
        return counts.pending + counts.failedWaiting + counts.rateLimited + counts.inFlight == 0
    }

    /// The run's tenant's events, decoded, in log order.
    static func tenantEvents(_ e2e: EndToEnd) async throws -> [DomainEvent] {
        var events: [DomainEvent] = []
        var checkpoint = Checkpoint.origin
        while true {
            let batch = try await e2e.services.store.readForward(after: checkpoint, limit: 1000)
            guard let last = batch.last else { return events }
            events += try DomainEvent.decode(batch).filter { $0.tenant == e2e.tenant.rawValue }
            checkpoint = last.checkpoint
        }
    }

    /// Whether the reactor's checkpoint covers every event written so far.
    static func reactorCaughtUp(_ e2e: EndToEnd) async throws -> Bool {
        try await e2e.services.pool.withTransaction(scope: .system) { connection in
            try await connection.query(
                """
                SELECT NOT EXISTS (
                    SELECT 1 FROM events e, projection_checkpoints c
                    WHERE c.projection = \(Reactor.checkpointName) AND (e.txid, e.global_position) > (c.txid, c.global_position))
                """
            ).singleValue(Bool.self) ?? false
        }
    }
}
