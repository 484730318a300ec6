import Foundation

extension Pages {
    /// The import page: the upload form (with a problem next to the file input, when the last upload was
    /// refused) and the past imports.
    static func imports(
        _ items: [ImportListItem], total: Int, offset: Int, limit: Int, maxBytes: Int, problem: String?, identity: TenantIdentity
    ) -> HTML {
        let error: HTML = problem.map { "<p class=\"error\" role=\"alert\" id=\"file-problem\">\($0)</p>" } ?? .empty
        let described: HTML = problem == nil ? .empty : #" aria-describedby="file-problem" aria-invalid="true""#
        let rows = HTML.join(
            items.map { item -> HTML in
                let counts: HTML =
                    item.summary.map { "\($0.added) added, \($0.updated) updated, \($0.unchanged) unchanged, \($0.rejected) rejected" }
                    ?? "\(stateLabel(item.state))"
                return """
                    <tr><td><a href="/ui/imports/\(item.importId)">\(item.fileName)</a></td><td>\(item.receivedAt)</td><td>\(counts)</td></tr>
                    """
            })
        let list: HTML =
            items.isEmpty
            ? "<p class=\"muted\">No file has been imported yet.</p>"
            : "<table><tr><th>File</th><th>Uploaded</th><th>Result</th></tr>\(rows)</table>\(pager(path: "/ui/imports", query: [], offset: offset, limit: limit, total: total))"
        return """
            <h1>Import customers</h1>
            <section class="card"><form method="post" action="/ui/imports" enctype="multipart/form-data">\(Layout.csrf(identity))
            <label for="file">Customer file (CSV, UTF-8, at most \(byteSize(maxBytes)))</label>
            <input type="file" id="file" name="file" accept=".csv,text/csv" required\(described)>
            \(error)<p><button class="primary">Import</button></p></form>
            <p class="muted">The first row names the columns (customer_number, name, email, …; see the file format). Good rows are \
            imported, bad rows are listed with their row number and what to fix. Importing the same file again changes nothing.</p></section>
            <section class="card" id="export"><h2>Export</h2>
            <p>Accord cannot write your customer file, so it keeps what the file does not know yet: partners created for
            e-conomic customers, and values agreed since the file was read (changes made in e-conomic, conflicts resolved).
            Download the file customers as they should be now, in this same format, and load them into your system.</p>
            <p><a href="/ui/exports/file-customers.csv" download>Download the file customers (CSV)</a></p></section>
            <h2>Past imports</h2>\(list)
            """
    }

    /// One import: progress while it runs (the page reloads itself), then the counts and every rejected row.
    static func importStatus(_ status: ImportStatus) -> HTML {
        var parts: [HTML] = ["<h1>Import of \(status.fileName)</h1>"]
        switch status.state {
        case .queued:
            parts.append("<p class=\"card\" role=\"status\">Waiting to start…</p>")
        case .running:
            let progress = status.progress
            let percent = progress.map { $0.totalBytes > 0 ? min(100, $0.bytesRead * 100 / $0.totalBytes) : 0 } ?? 0
            parts.append(
                """
                <section class="card" role="status"><p>Importing: \(progress?.rows ?? 0) rows read.</p>
                <progress max="100" value="\(percent)" aria-label="Import progress">\(percent) %</progress>
                <p class="muted">This page updates by itself every two seconds.</p></section>
                """)
        case .completed:
            if let summary = status.summary {
                parts.append(
                    """
                    <section class="counts"><div class="card"><b>\(summary.added)</b>added</div><div class="card"><b>\(summary.updated)</b>updated</div>\
                    <div class="card"><b>\(summary.unchanged)</b>unchanged</div><div class="card"><b>\(summary.rejected)</b>rejected</div></section>
                    """)
            }
        case .failed:
            parts.append("<p class=\"error\" role=\"alert\">\(status.error?.message ?? "The import failed.")</p>")
        case .interrupted:
            parts.append(
                "<p class=\"error\" role=\"alert\">The import stopped before it finished. Upload the same file again to finish it; nothing is recorded twice.</p>"
            )
        }
        if let rejections = status.rejections, rejections.total > 0 {
            let rows = HTML.join(
                rejections.items.map { "<tr><td>\($0.row)</td><td>\($0.column ?? "–")</td><td>\($0.reason)</td></tr>" })
            parts.append(
                """
                <h2>Rejected rows</h2><p class="muted">Fix these rows in the file and import it again; the rows that were imported stay.</p>
                <table><tr><th>Row</th><th>Column</th><th>Reason</th></tr>\(rows)</table>
                \(pager(path: "/ui/imports/\(status.importId)", query: [], offset: rejections.offset, limit: rejections.limit, total: rejections.total))
                """)
        }
        parts.append("<p><a href=\"/ui/imports\">Import another file</a></p>")
        return HTML.join(parts)
    }

    static func stateLabel(_ state: ImportStatus.State) -> String {
        switch state {
        case .queued: "waiting"
        case .running: "importing…"
        case .completed: "done"
        case .failed: "failed"
        case .interrupted: "stopped before the end: upload it again to finish"
        }
    }

    static func byteSize(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : bytes >= 1 << 10 ? "\(bytes >> 10) KB" : "\(bytes) bytes"
    }
}
