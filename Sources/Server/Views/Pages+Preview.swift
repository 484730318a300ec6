import Foundation
import Projections
import SyncDomain

extension Pages {
    /// What proposed settings would change, shown above the settings form before they are saved: the summary over
    /// every source customer, then the changed customers with their match result now and under the proposal and the
    /// fields whose values would differ from what was sent.
    static func preview(_ report: ReplayReport) -> HTML {
        let summary = report.summary
        let fields =
            summary.fieldChanges.isEmpty
            ? "no field"
            : summary.fieldChanges.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        let rows = HTML.join(
            report.customers.map { customer -> HTML in
                let differences = HTML.join(
                    customer.differences.map { "<li><code>\($0.field)</code>: \($0.sent ?? "(not sent)") → \($0.proposed ?? "(not sent)")</li>" })
                let problem: HTML = customer.proposalProblem.map { "<p class=\"error\">\($0)</p>" } ?? .empty
                return """
                    <tr><td>\(customer.customer.description)</td><td>\(customer.recorded.description)</td><td>\(customer.proposed.description)</td>\
                    <td>\(customer.differences.isEmpty ? HTML.empty : "<ul>\(differences)</ul>")\(problem)</td></tr>
                    """
            })
        let table: HTML =
            report.customers.isEmpty
            ? .empty
            : "<table><tr><th>Customer</th><th>Now</th><th>With these settings</th><th>Fields sent → would send</th></tr>\(rows)</table>"
        return """
            <section class="preview" aria-label="Preview"><h2>Preview: what these settings would change</h2>
            <p>Of \(summary.customers) source customers, \(summary.matchChanged) would match differently, \(summary.wouldLink) would be \
            linked, \(summary.wouldCreate) created and \(summary.wouldUpdate) updated; \(summary.mappingFailures) could not be mapped. \
            Fields that would change: \(fields).</p>\(table)
            <p class="muted">Replayed \(report.events) events of the log in memory; nothing was saved. Showing \(report.customers.count) \
            of \(report.changed) changed customers.</p></section>
            """
    }
}
