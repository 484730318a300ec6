extension Pages {
    /// The tabs that make the five lists of the synchronisation one screen: each section with how many it holds, the
    /// current one marked, those that need a person (conflicts, failures, refused requests) highlighted when not empty.
    static func syncTabs(current: Layout.Section, overview o: TenantOverview) -> HTML {
        let tabs: [(Layout.Section, String, Int, Bool)] = [
            (.unpartnered, "Unpartnered", o.unpartneredSource + o.unpartneredEconomic, false),
            (.conflicts, "Conflicts", o.conflicts, true),
            (.synchronised, "Synchronised", o.synchronised + o.stopped, false),
            (.failures, "Match failures", o.matchFailures, true),
            (.outbound, "Outbound problems", o.outboundFailures, true),
        ]
        let links = HTML.join(
            tabs.map { section, label, count, urgent -> HTML in
                let currentMark: HTML = section == current ? " aria-current=\"page\"" : .empty
                let tag: HTML = urgent && count > 0 ? "<span class=\"tag attention\">\(count)</span>" : "<span class=\"tag\">\(count)</span>"
                return "<a href=\"\(section.path)\"\(currentMark)>\(label) \(tag)</a>"
            }, separator: " ")
        return "<nav class=\"tabs sync\" aria-label=\"Synchronisation\">\(links)</nav>"
    }
}
