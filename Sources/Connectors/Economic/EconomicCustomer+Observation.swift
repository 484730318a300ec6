public import SyncDomain

extension EconomicCustomer {
    /// The customer as an observation of `economic:<number>`: its fields without `lastUpdated` (e-conomic's
    /// bookkeeping, not a customer field), which becomes the observation's `sourceUpdatedAt` so that an older read
    /// never overwrites a newer one. `nil` without a customer number. The poller, the full read and the outbound
    /// worker (for e-conomic's answer to an update) all record customers this way.
    public var observation: CustomerObserved? {
        guard let number = customerNumber else { return nil }
        var fields = fieldMap
        fields["lastUpdated"] = nil
        return CustomerObserved(customer: .economic(number), fields: fields, sourceUpdatedAt: lastUpdatedDate)
    }
}
