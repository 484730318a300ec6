import EventStore
import Foundation
import SyncDomain

/// Turns the events that concern one customer into entries, in log order, remembering what later sentences need:
/// the settings in force (the match rule of a decision), the customer's last observed fields (the diff of the next
/// observation), its links (the partner a link event is about) and its requests (what an answer answers).
struct TimelineNarrator {
    let customer: CustomerRef
    /// The settings in force at the event being told.
    var settings = TenantSettings.default
    private var lastFields: [String: String]?
    private var partners: [LinkID: CustomerRef] = [:]
    var requests: [RequestID: RequestNote] = [:]

    init(customer: CustomerRef) { self.customer = customer }

    /// What a later answer needs to know about a request.
    struct RequestNote {
        /// `e-conomic` or `Stripe`.
        var target: String
        /// What the request does, e.g. `create` or `update of customer 42`.
        var what: String
        /// The Stripe metadata key a number write-back writes to.
        var writeBackKey: String?
    }

    /// The entry of one event that concerns the customer; `nil` for the events no customer's history shows (settings,
    /// imports).
    mutating func entry(for event: TimelineEvent) -> TimelineEntry? {
        switch event.event {
        case .customerObserved(let observed):
            let changes = Self.diff(from: lastFields ?? [:], to: observed.fields)
            var text = lastFields == nil ? "First seen in \(observed.customer.system)" : "Seen again in \(observed.customer.system)"
            if let id = observed.sourceEventId { text += " (event \(id))" }
            if let at = observed.sourceUpdatedAt { text += ", as of \(Self.format(at))" }
            text += changes.isEmpty ? "; no field changed" : "; \(Self.count(changes.count, "field")) changed"
            lastFields = observed.fields
            return TimelineEntry(event, kind: .observed, summary: text, changes: changes)
        case .customerDeleted(let deleted):
            return TimelineEntry(
                event, kind: .deleted, summary: "Deleted in \(deleted.customer.system)" + (deleted.sourceEventId.map { " (event \($0))" } ?? ""))
        case .customerExcluded:
            return TimelineEntry(event, kind: .excluded, summary: "Excluded from synchronisation (Don't synchronise)" + by(event))
        case .customerIncluded:
            return TimelineEntry(event, kind: .included, summary: "Included in synchronisation again" + by(event))
        case .matchFailed(let failed):
            return TimelineEntry(event, kind: .matchFailed, summary: "Automatic matching under \(rule) failed: \(failed.reason)")
        case .mappingFailed(let failed):
            return TimelineEntry(event, kind: .mappingFailed, summary: "Mapping to e-conomic failed: \(failed.error)", linkId: failed.linkId)
        default:
            if let entry = partnering(event) { return entry }
            return outbound(event)
        }
    }

    /// The entries of `partners` events; `nil` for others.
    private mutating func partnering(_ event: TimelineEvent) -> TimelineEntry? {
        switch event.event {
        case .partnerLinked(let linked):
            let partner = linked.source == customer ? linked.economic : linked.source
            partners[linked.linkId] = partner
            return linkedEntry(event, linked, partner: partner)
        case .partnerUnlinked(let unlinked):
            let why = unlinked.reason == .user ? by(event) : ": \(unlinked.reason)"
            return TimelineEntry(event, kind: .unlinked, summary: "Unlinked from \(partner(of: unlinked.linkId))\(why)", linkId: unlinked.linkId)
        case .syncStopped(let stopped):
            return TimelineEntry(
                event, kind: .syncStopped, summary: "Synchronisation with \(partner(of: stopped.linkId)) stopped" + by(event), linkId: stopped.linkId)
        case .syncRestarted(let restarted):
            return TimelineEntry(
                event, kind: .syncRestarted, summary: "Synchronisation with \(partner(of: restarted.linkId)) restarted" + by(event),
                linkId: restarted.linkId)
        case .partnerCreationRequested(let requested):
            return creationEntry(event, requested)
        case .partnerCreationCancelled(let cancelled):
            return TimelineEntry(
                event, kind: .creationCancelled, summary: "Creation of the partner given up (request \(cancelled.requestId)): \(cancelled.reason)",
                requestId: cancelled.requestId)
        case .conflictDetected(let conflict):
            let text =
                "Conflict with \(partner(of: conflict.linkId)) on \(conflict.field): source \(Self.quote(conflict.sourceValue)), "
                + "e-conomic \(Self.quote(conflict.economicValue)), last agreed \(Self.quote(conflict.baseValue))"
            return TimelineEntry(
                event, kind: .conflictDetected, summary: text,
                changes: [FieldChange(field: conflict.field, from: conflict.economicValue, to: conflict.sourceValue)], linkId: conflict.linkId)
        case .conflictResolved(let resolved):
            let choices = resolved.choices.keys.sorted().map { field in
                "\(field) = \(Self.quote(resolved.resultingValues[field])) (\(Self.describe(resolved.choices[field]!)))"
            }
            return TimelineEntry(
                event, kind: .conflictResolved,
                summary: "Conflict resolved\(by(event)): " + choices.joined(separator: "; "),
                changes: resolved.choices.keys.sorted().map { FieldChange(field: $0, from: nil, to: resolved.resultingValues[$0]) },
                linkId: resolved.linkId)
        case .linkSynced(let synced):
            var text = "The pair agrees on \(Self.count(synced.agreed.count, "mapped field"))"
            if !synced.clearedConflicts.isEmpty { text += "; conflict cleared on \(synced.clearedConflicts.sorted().joined(separator: ", "))" }
            return TimelineEntry(event, kind: .linkSynced, summary: text, linkId: synced.linkId)
        case .linkWriteRequested(let write):
            var text =
                "Write of \(write.fields.keys.sorted().joined(separator: ", ")) to \(Self.name(write.target)) opened (request \(write.requestId))"
            if !write.supersedes.isEmpty { text += "; it carries forward \(write.supersedes.map(\.description).joined(separator: ", "))" }
            return TimelineEntry(event, kind: .writeOpened, summary: text, linkId: write.linkId, requestId: write.requestId)
        case .linkWriteSettled(let settled):
            var text = "\(Self.name(settled.target)) holds "
            text +=
                settled.holds.isEmpty
                ? "nothing new" : settled.holds.keys.sorted().map { "\($0) = \(Self.quote(settled.holds[$0]))" }.joined(separator: ", ")
            if !settled.targetMoved.isEmpty {
                text += "; left as found (changed there meanwhile): \(settled.targetMoved.sorted().joined(separator: ", "))"
            }
            return TimelineEntry(
                event, kind: .writeSettled, summary: text + " (request \(settled.requestId))", linkId: settled.linkId, requestId: settled.requestId)
        default:
            return nil
        }
    }

    private func linkedEntry(_ event: TimelineEvent, _ linked: PartnerLinked, partner: CustomerRef) -> TimelineEntry {
        let agreed = linked.agreed.isEmpty ? "" : "; both sides agreed on \(Self.count(linked.agreed.count, "mapped field"))"
        switch linked.origin {
        case .autoMatch(let key):
            return TimelineEntry(
                event, kind: .matched,
                summary: "Matched automatically with \(partner) by the normalised key \(key) under \(rule)\(agreed)", linkId: linked.linkId)
        case .user:
            return TimelineEntry(event, kind: .linked, summary: "Paired by hand with \(partner)\(by(event))\(agreed)", linkId: linked.linkId)
        case .created(let request):
            let text =
                linked.source == customer
                ? "Linked with \(partner), the partner created for it by request \(request)"
                : "Linked with \(partner), which it was created for by request \(request)"
            return TimelineEntry(event, kind: .linked, summary: text + agreed, linkId: linked.linkId, requestId: request)
        case .copiedToFile:
            return TimelineEntry(event, kind: .linked, summary: "Linked with \(partner), copied to the customer file\(agreed)", linkId: linked.linkId)
        }
    }

    private func creationEntry(_ event: TimelineEvent, _ requested: PartnerCreationRequested) -> TimelineEntry {
        let number: String
        switch requested.numbering {
        case _ where requested.targetSystem == .stripe:
            number = requested.customerNumber.map { "its e-conomic number \($0) in the new customer's metadata" } ?? "no number"
        case .economicAssigns: number = "the number assigned by \(Self.name(requested.targetSystem))"
        case .sameAsSource: number = requested.customerNumber.map { "number \($0), the same as the source's" } ?? "the source's number"
        case .explicit(let chosen): number = "number \(chosen)"
        }
        let keys = requested.matchKeys.isEmpty ? "" : "; it will be found by \(requested.matchKeys.map(\.description).joined(separator: ", "))"
        let text =
            requested.from == customer
            ? "Creation of its partner in \(Self.name(requested.targetSystem)) requested\(by(event)) (request \(requested.requestId)), "
                + "with \(number)\(keys)"
            : "Creation of this customer requested for \(requested.from) (request \(requested.requestId)), with \(number)"
        return TimelineEntry(
            event, kind: .creationRequested, summary: text,
            changes: requested.payload.keys.sorted().map { FieldChange(field: $0, from: nil, to: requested.payload[$0]) },
            requestId: requested.requestId)
    }

    // MARK: Wording

    /// The match rule in force, e.g. `the match rule email ↔ email (settings version 2)`.
    var rule: String {
        let pairs = settings.matchFields.map { "\($0.source) ↔ \($0.economic)" + ($0.required ? "" : " (optional)") }
        return "the match rule \(pairs.isEmpty ? "(none)" : pairs.joined(separator: ", ")) (settings version \(settings.version))"
    }

    /// ` by user:…` when a person acted; nothing for Accord's own actors.
    func by(_ event: TimelineEvent) -> String {
        guard let actor = event.metadata.actor, !actor.hasPrefix("system:") else { return "" }
        return " by \(actor)"
    }

    private func partner(of link: LinkID) -> String { partners[link]?.description ?? "its partner" }

    static func diff(from old: [String: String], to new: [String: String]) -> [FieldChange] {
        Set(old.keys).union(new.keys).sorted().compactMap { key in old[key] == new[key] ? nil : FieldChange(field: key, from: old[key], to: new[key])
        }
    }

    static func name(_ side: Side) -> String { side == .economic ? "e-conomic" : "the source" }

    static func name(_ system: System) -> String {
        switch system {
        case .economic: "e-conomic"
        case .stripe: "Stripe"
        case .file: "the customer file"
        }
    }

    static func describe(_ choice: ConflictChoice) -> String {
        switch choice {
        case .source: "the source's value"
        case .economic: "e-conomic's value"
        case .value: "a value typed in"
        }
    }

    /// `'value'`, or `(empty)`.
    static func quote(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "(empty)" }
        return "'\(value)'"
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `2026-11-24 11:59:58 UTC`.
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: TimeZone(identifier: "UTC")!))
            .replacingOccurrences(of: "Z", with: " UTC")
    }
}
