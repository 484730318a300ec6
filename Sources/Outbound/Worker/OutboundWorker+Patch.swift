import Connectors
import Foundation
import SyncDomain

/// Updates as read-modify-writes of a ``SyncDomain/FieldPatch``: read the target, decide each field by its base
/// (``SyncDomain/FieldPatch/plan(live:)``), send the live record with only the fields still at their base changed,
/// and report what the target holds afterwards and which fields it had moved (kept, never overwritten).
extension OutboundWorker {
    /// `GET /customers/{n}`, the per-field rule, then `PUT` of the live customer with the applicable fields
    /// (nothing when no field needs writing). A cleared field is removed from the `PUT`, which clears it.
    /// - Parameter fence: asked right before the `GET` (not between it and the `PUT`, which stay as close together as
    ///   they can: e-conomic has no conditional writes); false (the claim is lost) sends nothing.
    /// - Throws: ``Connectors/EconomicAPIError`` (`notFound` when the customer no longer exists).
    func applyPatch(
        _ patch: FieldPatch, toCustomer number: Int, using client: EconomicClient, fence: () async -> Bool
    ) async throws -> OutboundAttempt {
        guard await fence() else { return .notSent }
        let sending = ContinuousClock.now
        defer { metrics.step(.send, since: sending) }
        guard var customer = try await client.customer(number: number) else {
            throw EconomicAPIError(
                code: .notFound, operation: "update customer \(number)", httpStatus: 404, message: "Resource not found.", isWrite: true,
                requestMayHaveBeenSent: false)
        }
        let plan = patch.plan(live: customer.fieldMap)
        if !plan.sendsNothing {
            do {
                try customer.apply(fieldMap: plan.writes)
            } catch {
                return .needsPerson(OutboundError(code: "INVALID_PAYLOAD", message: "the request's patch does not fit the customer: \(error)"))
            }
            customer = try await client.replaceCustomer(number: number, customer)
        }
        var written = Self.holding(plan, after: customer.fieldMap)
        written["customerNumber"] = String(number)
        return .succeeded(customerNumber: number, written: written, targetMoved: plan.targetMoved, answer: customer)
    }

    /// `GET /v1/customers/{id}`, the per-field rule, then `POST` of the applicable fields (and metadata keys). The
    /// address goes whole — every part as it will be — because Stripe may replace it as one value.
    /// - Parameters:
    ///   - patch: The fields, in the source vocabulary (`name`, `address.city`, `metadata.<key>`).
    ///   - write: The request (customer and id).
    ///   - client: The tenant's Stripe client.
    ///   - fence: asked right before the `GET`; false (the claim is lost) sends nothing.
    /// - Throws: ``Connectors/StripeAPIError``.
    func applyPatch(
        _ patch: FieldPatch, to write: StripeWriteRequested, using client: StripeClient, fence: () async -> Bool
    ) async throws(StripeAPIError) -> OutboundAttempt {
        guard await fence() else { return .notSent }
        let sending = ContinuousClock.now
        defer { metrics.step(.send, since: sending) }
        guard case .customer(var customer) = try await client.customer(id: write.customerId) else {
            return .needsPerson(
                OutboundError(httpStatus: 404, code: "resource_missing", message: "Stripe customer \(write.customerId) no longer exists"))
        }
        let live = customer.sourceFields
        let plan = patch.plan(live: live)
        if !plan.sendsNothing {
            let parts: StripeWriteParts
            do {
                parts = try StripeWriteParts(plan.writes)
            } catch {
                return .needsPerson(error.refusal)
            }
            // An empty value unsets the field: every value is sent, none left out.
            var fields = parts.fields.mapValues { Optional($0) }
            let metadata = parts.metadata.mapValues { Optional($0) }
            if fields.keys.contains(where: \.isAddress) {
                let after = CustomerMapper.mergeForUpdate(current: live, changes: plan.writes)
                for part in StripeCustomerField.allCases where part.isAddress && fields[part] == nil {
                    if let value = after[part.rawValue] { fields[part] = .some(value) }
                }
            }
            count { $0.sent += 1 }
            // The Idempotency-Key names the request and what this attempt sends: a retry after a lost answer that
            // sends the same gets Stripe's first answer; one that reads a different live record sends something else.
            if !fields.isEmpty {
                customer = try await client.updateCustomer(
                    customerID: write.customerId, fields: fields,
                    idempotencyKey: Self.idempotencyKey(write.requestId, "fields", fields.map { ($0.key.rawValue, $0.value) }))
            }
            if !metadata.isEmpty {
                customer = try await client.updateMetadata(
                    customerID: write.customerId, metadata,
                    idempotencyKey: Self.idempotencyKey(write.requestId, "metadata", metadata.map { ($0.key, $0.value) }))
            }
        }
        return .succeeded(customerNumber: nil, written: Self.holding(plan, after: customer.sourceFields), targetMoved: plan.targetMoved)
    }

    /// What the target holds after the write for the fields the plan wrote or found already written (empty: empty).
    static func holding(_ plan: PatchPlan, after fields: [String: String]) -> [String: String] {
        var holding: [String: String] = [:]
        for key in Array(plan.writes.keys) + Array(plan.alreadyThere.keys) { holding[key] = fields[key] ?? "" }
        return holding
    }

    /// `<request id>/<part>/<digest of what is sent>`, at most 255 characters.
    static func idempotencyKey(_ request: RequestID, _ part: String, _ sent: [(String, String?)]) -> String {
        let form = sent.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1 ?? "")" }.joined(separator: "&")
        return "\(request)/\(part)/\(NameBasedUUID.make(namespace: request.rawValue, name: form).uuidString.lowercased())"
    }
}
