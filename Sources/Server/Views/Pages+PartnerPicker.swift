import Foundation
import SyncDomain

extension Pages {
    /// The partner picker on an unpartnered customer's page: ranked suggestions with why each is suggested, a
    /// search of the other side, and a "Select" button on each candidate (the refusal, if any, shown here).
    static func partnerPicker(_ picker: PartnerSuggestions, ref: CustomerRef, query: String?, problem: String?, identity: TenantIdentity) -> HTML {
        let path = customerPath(ref)
        let otherSide = ref.system == .economic ? "Stripe and file customers" : "e-conomic customers"
        func rows(_ candidates: [PartnerSuggestions.Candidate]) -> HTML {
            HTML.join(
                candidates.map { candidate -> HTML in
                    let label = candidate.name ?? candidate.ref
                    let link: HTML = CustomerRef(parsing: candidate.ref).map { customerLink($0, label: label) } ?? "\(label)"
                    return """
                        <tr><td>\(link)<br><span class="muted">\(candidate.email)</span></td><td>\(candidate.why.isEmpty ? "–" : candidate.why)</td>
                        <td><form method="post" action="\(path)/choose-partner" class="inline">\(Layout.csrf(identity))<input type="hidden" name="partner" value="\(candidate.ref)"><button aria-label="Select \(label) as partner">Select</button></form></td></tr>
                        """
                })
        }
        let error: HTML = problem.map { "<p class=\"error\" role=\"alert\">\($0)</p>" } ?? .empty
        let suggestions: HTML =
            picker.suggestions.isEmpty
            ? "<p class=\"muted\">No \(otherSide) share a CVR/VAT number, e-mail, phone number or name with this customer. Search for the partner below.</p>"
            : "<table><tr><th>Customer</th><th>Why</th><th></th></tr>\(rows(picker.suggestions))</table>"
        var results: HTML = .empty
        if let found = picker.results {
            results =
                found.isEmpty
                ? "<p class=\"muted\">No \(otherSide) without a partner match “\(query ?? "")”.</p>"
                : "<table><tr><th>Customer</th><th>Shares</th><th></th></tr>\(rows(found))</table>"
        }
        return """
            <section class="card" id="partner"><h2>Choose a partner</h2>\(error)
            <h3>Suggested</h3>\(suggestions)
            <form method="get" action="\(path)#partner"><label for="partner-search">Search \(otherSide) by name, e-mail or number</label>
            <input type="search" id="partner-search" name="q" value="\(query ?? "")" size="30"> <button>Search</button></form>\(results)
            </section>
            """
    }
}
