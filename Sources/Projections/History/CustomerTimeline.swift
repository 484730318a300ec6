public import SyncDomain

/// A customer's history across every stream that concerns it — a read-side fold, pure: events in, entries out.
///
/// Which events concern a customer (``TimelineScope``): its own stream (observations, deletions, exclusions, match
/// and mapping failures); in `partners`, its links (`PartnerLinked` naming it, then everything of those links:
/// unlinks, stops, conflicts and resolutions, the bookkeeping of writes) and the creations of its partner; the
/// outbound streams of those links and creations (requests and the target's answers, number write-backs). The
/// `settings` stream is read for the match rule in force at each decision, and gives no entries of its own.
///
/// ```swift
/// let entries = CustomerTimeline.entries(of: .stripe("cus_1"), in: events)  // oldest first
/// ```
public enum CustomerTimeline {
    /// The entries, oldest first. Events that do not concern the customer are left out, so `events` may be any
    /// superset (a whole tenant's log, or what ``CustomerHistoryQueries`` loaded).
    /// - Parameters:
    ///   - customer: Whose history.
    ///   - events: The events to read, in any order (sorted by global position here).
    public static func entries(of customer: CustomerRef, in events: [TimelineEvent]) -> [TimelineEntry] {
        let ordered = events.sorted { $0.position < $1.position }
        let scope = TimelineScope(customer, events: ordered.map(\.event))
        var narrator = TimelineNarrator(customer: customer)
        var entries: [TimelineEntry] = []
        for event in ordered {
            if case .settingsChanged(let changed) = event.event {
                narrator.settings = changed.settings
                continue
            }
            guard scope.concerns(event.event), let entry = narrator.entry(for: event) else { continue }
            entries.append(entry)
        }
        return entries
    }

    /// The outbound requests whose streams belong in the customer's history, given the `partners` events that
    /// concern it: its partner's creations, its links' writes and the number write-back a creation may lead to.
    /// The write-back is the one request `partners` does not name; its id derives from the creation's.
    /// - Parameters:
    ///   - customer: Whose history.
    ///   - partnering: `partners` events (any superset of those concerning the customer).
    public static func requests(of customer: CustomerRef, in partnering: [SyncEvent]) -> [RequestID] {
        TimelineScope(customer, events: partnering).requests.sorted()
    }
}
