import SyncDomain

/// The entries of outbound streams: each request with what it sends (a create's payload, an update's patch with
/// bases, a number write-back) and each answer of e-conomic or Stripe, worded for the request it answers.
extension TimelineNarrator {
    /// The entry of an outbound event; `nil` for others.
    mutating func outbound(_ event: TimelineEvent) -> TimelineEntry? {
        switch event.event {
        case .economicWriteRequested(let write):
            return economicRequest(event, write)
        case .stripeWriteRequested(let write):
            return stripeRequest(event, write)
        case .economicCreateStarted(let started):
            let target = requests[started.requestId]?.target ?? "e-conomic"
            var text = "Sending the create to \(target) (request \(started.requestId))"
            if target == "Stripe" {
                text += "; found by the request id in its metadata if the answer is lost"
            } else if let existing = started.existing {
                text +=
                    existing.isEmpty
                    ? "; no e-conomic customer matched it before the first send"
                    : "; e-conomic customers that matched before the first send, never adopted: \(existing.map(String.init).joined(separator: ", "))"
            }
            return TimelineEntry(event, kind: .sending, summary: text, requestId: started.requestId)
        case .outboundSucceeded(let succeeded):
            return answer(event, succeeded)
        case .outboundFailed(let failed):
            let about = note(failed.requestId)
            return TimelineEntry(
                event, kind: .failed,
                summary:
                    "\(about.target) refused or did not answer the \(about.what), attempt \(failed.attempt): \(failed.error); "
                    + "next try at \(Self.format(failed.retryAt))",
                requestId: failed.requestId)
        case .outboundRateLimited(let limited):
            let about = note(limited.requestId)
            return TimelineEntry(
                event, kind: .rateLimited,
                summary: "\(about.target) asked to slow down (\(limited.error)); the \(about.what) waits until \(Self.format(limited.retryAt)) "
                    + "(wait \(limited.waits), not a failed attempt)",
                requestId: limited.requestId)
        case .outboundSuperseded(let superseded):
            return TimelineEntry(
                event, kind: .superseded,
                summary: "The \(note(superseded.requestId).what) is never sent: request \(superseded.by) carries its changes forward",
                requestId: superseded.requestId)
        case .outboundAbandoned(let abandoned):
            let about = note(abandoned.requestId)
            return TimelineEntry(
                event, kind: .abandoned,
                summary:
                    "The \(about.what) was given up after \(Self.count(abandoned.attempts, "attempt")): \(abandoned.error); "
                    + "it waits for a person's retry",
                requestId: abandoned.requestId)
        case .outboundRetryRequested(let retry):
            return TimelineEntry(
                event, kind: .retryRequested, summary: "Retry of the \(note(retry.requestId).what) requested\(by(event))", requestId: retry.requestId)
        default:
            return nil
        }
    }

    private mutating func economicRequest(_ event: TimelineEvent, _ write: EconomicWriteRequested) -> TimelineEntry {
        let why = reason(write.reason)
        switch write.kind {
        case .create:
            requests[write.requestId] = RequestNote(target: "e-conomic", what: "create")
            return TimelineEntry(
                event, kind: .requested,
                summary:
                    "Requested: create the customer in e-conomic with \(Self.count(write.payload.count, "field")) "
                    + "(request \(write.requestId); \(why))",
                changes: write.payload.keys.sorted().map { FieldChange(field: $0, from: nil, to: write.payload[$0]) }, linkId: write.linkId,
                requestId: write.requestId)
        case .update(let number):
            return update(
                event, in: "e-conomic", customer: String(number), patch: write.patch, request: write.requestId, link: write.linkId,
                supersedes: write.supersedes, why: why)
        }
    }

    private mutating func stripeRequest(_ event: TimelineEvent, _ write: StripeWriteRequested) -> TimelineEntry {
        let why = reason(write.reason)
        switch write.kind {
        case .metadata(let values) where write.reason == .customerNumberWriteBack && values.count == 1:
            let (key, number) = values.first!
            requests[write.requestId] = RequestNote(target: "Stripe", what: "number write-back", writeBackKey: key)
            return TimelineEntry(
                event, kind: .requested,
                summary: "Requested: write the e-conomic customer number \(number) back to Stripe metadata '\(key)' (request \(write.requestId))",
                changes: [FieldChange(field: "metadata.\(key)", from: nil, to: number)], linkId: write.linkId, requestId: write.requestId)
        case .metadata(let values):
            requests[write.requestId] = RequestNote(target: "Stripe", what: "metadata update")
            return TimelineEntry(
                event, kind: .requested,
                summary: "Requested: set Stripe metadata \(values.keys.sorted().joined(separator: ", ")) (request \(write.requestId); \(why))",
                changes: values.keys.sorted().map { FieldChange(field: "metadata.\($0)", from: nil, to: values[$0]) }, linkId: write.linkId,
                requestId: write.requestId)
        case .create(let fields):
            requests[write.requestId] = RequestNote(target: "Stripe", what: "create")
            return TimelineEntry(
                event, kind: .requested,
                summary:
                    "Requested: create the customer in Stripe with \(Self.count(fields.count, "field")) (request \(write.requestId); \(why))",
                changes: fields.keys.sorted().map { FieldChange(field: $0, from: nil, to: fields[$0]) }, linkId: write.linkId,
                requestId: write.requestId)
        case .patch(let patch):
            return update(
                event, in: "Stripe", customer: write.customerId, patch: patch, request: write.requestId, link: write.linkId,
                supersedes: write.supersedes, why: why)
        }
    }

    /// An update's entry: each field from its base to the value sent, and the requests it carries forward.
    private mutating func update(
        _ event: TimelineEvent, in system: String, customer: String, patch: FieldPatch, request: RequestID, link: LinkID?,
        supersedes: [RequestID], why: String
    ) -> TimelineEntry {
        requests[request] = RequestNote(target: system, what: "update of customer \(customer)")
        return TimelineEntry(
            event, kind: .requested,
            summary: "Requested: update \(system) customer \(customer): \(Self.describe(patch))\(carries(supersedes)) (request \(request); \(why))",
            changes: Self.changes(patch), linkId: link, requestId: request)
    }

    private func answer(_ event: TimelineEvent, _ succeeded: OutboundSucceeded) -> TimelineEntry {
        let about = note(succeeded.requestId)
        if let key = about.writeBackKey {
            let number = succeeded.written["metadata.\(key)"] ?? succeeded.written[key]
            return TimelineEntry(
                event, kind: .writtenBack,
                summary: "Stripe answered: the customer number \(number.map { $0 + " " } ?? "")is written back to metadata '\(key)'",
                requestId: succeeded.requestId)
        }
        var text = "\(about.target) answered: "
        if about.what == "create", let number = succeeded.customerNumber {
            text += "created customer \(number)"
        } else if about.what == "create", let id = succeeded.stripeCustomerId {
            text += "created customer \(id)"
        } else {
            text += "\(about.what) done"
        }
        if !succeeded.written.isEmpty {
            text += "; holds " + succeeded.written.keys.sorted().map { "\($0) = \(Self.quote(succeeded.written[$0]))" }.joined(separator: ", ")
        }
        if !succeeded.targetMoved.isEmpty {
            text +=
                "; not written, changed there meanwhile: "
                + succeeded.targetMoved.keys.sorted().map { "\($0) (kept \(Self.quote(succeeded.targetMoved[$0])))" }.joined(separator: ", ")
        }
        return TimelineEntry(event, kind: .succeeded, summary: text, requestId: succeeded.requestId)
    }

    private func note(_ request: RequestID) -> RequestNote {
        requests[request] ?? RequestNote(target: "The target", what: "request \(request)")
    }

    private func carries(_ superseded: [RequestID]) -> String {
        superseded.isEmpty ? "" : ", carrying forward \(superseded.map(\.description).joined(separator: ", "))"
    }

    /// Why a write was asked for; an automatic create names the match rule under which nothing matched.
    private func reason(_ reason: WriteReason) -> String {
        switch reason {
        case .autoCreate: "no e-conomic customer matched under \(rule), and new customers are created automatically"
        case .createPartner: "a person chose Create partner"
        case .sourceChanged: "the source changed"
        case .economicChanged: "e-conomic changed"
        case .conflictResolved: "a conflict was resolved"
        case .customerNumberWriteBack: "writing the customer number back"
        }
    }

    /// `city 'Vejle' → 'Odense', name (empty) → 'Anna'`: each field from its base to the value sent.
    static func describe(_ patch: FieldPatch) -> String {
        changes(patch).map { change in "\(change.field) \(change.from.map { quote($0) } ?? "(any)") → \(quote(change.to))" }.joined(separator: ", ")
    }

    /// A patch's fields from base to value (a base-less write of an old schema has `from` nil).
    static func changes(_ patch: FieldPatch) -> [FieldChange] {
        patch.fields.keys.sorted().map { FieldChange(field: $0, from: patch.fields[$0]!.base, to: patch.fields[$0]!.value) }
    }
}
