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
            tabs.map { section, label, count, urgent in
                tab(section.path, label, count: count, current: section == current, attention: urgent && count > 0)
            }, separator: " ")
        return "<nav class=\"tabs sync\" aria-label=\"Synchronisation\">\(links)</nav>"
    }

    /// One tab: a link with its count (highlighted for `attention`), marked when it is the current one.
    static func tab(_ href: String, _ label: String, count: Int?, current: Bool, attention: Bool = false) -> HTML {
        let mark: HTML = current ? " aria-current=\"page\"" : .empty
        let tag: HTML = count.map { " <span class=\"tag\(attention ? " attention" : "")\">\($0)</span>" } ?? .empty
        return "<a href=\"\(href)\"\(mark)>\(label)\(tag)</a>"
    }
}
