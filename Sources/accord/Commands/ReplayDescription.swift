import Projections
import SyncDomain

/// A replay report as text: the summary, then per customer the match result now and under the proposal, the fields
/// that would differ, and — for a customer asked for by name — what was sent and how its partner was created.
struct ReplayDescription {
    let report: ReplayReport
    let showAll: Bool

    init(_ report: ReplayReport, showAll: Bool) {
        self.report = report
        self.showAll = showAll
    }

    var text: String {
        let summary = report.summary
        var lines = [
            "Replayed \(ProgressBar.number(report.events)) events"
                + (report.position.map { " up to #\($0)" } ?? "") + " (settings version \(report.settingsVersion) in force there).",
            "\(summary.customers) source customers: \(summary.matchChanged) would match differently (\(summary.wouldLink) linked, "
                + "\(summary.wouldCreate) created), \(summary.wouldUpdate) updated, \(summary.mappingFailures) cannot be mapped.",
        ]
        if !summary.fieldChanges.isEmpty {
            lines.append(
                "Fields that would change: "
                    + summary.fieldChanges.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
        }
        if !showAll && report.customers.isEmpty { lines.append("Nothing would change.") }
        for customer in report.customers { lines += [""] + describe(customer) }
        return lines.joined(separator: "\n")
    }

    private func describe(_ customer: CustomerReplay) -> [String] {
        var lines = ["\(customer.customer)"]
        lines.append("  now:       \(customer.recorded)")
        lines.append("  proposed:  \(customer.proposed)" + (customer.matchChanged ? "   (changes)" : ""))
        for difference in customer.differences {
            lines.append("  \(difference.field): \(Self.quoted(difference.sent)) → \(Self.quoted(difference.proposed))")
        }
        if let problem = customer.proposalProblem { lines.append("  the proposal cannot map it: \(problem)") }
        guard showAll else { return lines }
        if !customer.sent.isEmpty {
            lines.append(
                "  sent:      " + customer.sent.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted($0.value))" }.joined(separator: ", "))
        }
        if let creation = customer.creation {
            lines.append("  created:   requested at #\(creation.position) under settings version \(creation.settingsVersion)")
            lines += creation.explanations.map { "    \($0)" }
        }
        return lines
    }

    private static func quoted(_ value: String?) -> String { value.map { "'\($0)'" } ?? "(not sent)" }
}
