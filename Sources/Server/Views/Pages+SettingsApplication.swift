import Foundation
import SyncEngine

extension Pages {
    /// Where the latest saved change of mappings stands in reaching the linked pairs, with pause or resume while it is
    /// unfinished. (No automatic reload: it would throw away settings being edited below.)
    static func settingsApplication(_ application: SettingsApplication, identity: TenantIdentity) -> HTML {
        let total = max(application.total, application.done)
        let percent = total == 0 ? 100 : min(100, application.done * 100 / total)
        let bar: HTML = "<progress max=\"100\" value=\"\(percent)\" aria-label=\"Linked pairs done\">\(percent) %</progress>"
        func action(_ name: String, _ label: String) -> HTML {
            """
            <form method="post" action="/ui/settings/application/\(name)" class="inline">\(Layout.csrf(identity))\
            <button>\(label)</button></form>
            """
        }
        switch application.state {
        case .running:
            return """
                <section class="card" role="status" aria-label="Applying the new mappings"><p>\(application.sentence)</p>\(bar)
                <p class="muted">Reload the page to see how far it has come.</p>\(action("pause", "Pause"))</section>
                """
        case .paused:
            return """
                <section class="card" role="status" aria-label="Applying the new mappings"><p>\(application.sentence)</p>\(bar)
                \(action("resume", "Resume"))</section>
                """
        case .finished, .superseded:
            return "<p class=\"muted\">\(application.sentence)</p>"
        }
    }
}
