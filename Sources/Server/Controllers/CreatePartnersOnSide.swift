import EventStore
import SyncDomain
import SyncEngine

/// "Create partners for all" on a side of the unpartnered lists, as the API and the pages name it: `source` is
/// every Stripe and file customer (the lists show both), `stripe`, `file` and `economic` one system each.
struct CreatePartnersOnSide: Sendable {
    /// The systems of the side.
    let systems: [System]

    /// The side named in a path; nil for an unknown name.
    init?(_ name: String) {
        switch name {
        case "source": systems = [.stripe, .file]
        case "stripe": systems = [.stripe]
        case "file": systems = [.file]
        case "economic": systems = [.economic]
        default: return nil
        }
    }

    /// What creating partners for every system of the side did.
    struct Outcome: Sendable {
        var appended = 0
        var created: [CustomerRef] = []
        var skipped: [CustomerRef: String] = [:]
    }

    /// Creates the partners of every unpartnered customer of each system of the side, one command per system.
    func run(_ commands: any TenantCommands, numbering: PartnerNumbering, tenant: TenantID, metadata: CommandMetadata) async throws -> Outcome {
        var outcome = Outcome()
        for system in systems {
            let result = try await commands.createPartners(side: system, numbering: numbering, tenant: tenant, metadata: metadata)
            outcome.appended += result.result.events.count
            outcome.created += result.created
            outcome.skipped.merge(result.skipped) { first, _ in first }
        }
        return outcome
    }
}
