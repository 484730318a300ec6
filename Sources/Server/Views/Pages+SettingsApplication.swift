import Foundation
import SyncEngine

extension Pages {
    /// Where the latest saved settings change stands in reaching existing customers (failed matches tried again, then
    /// the linked pairs), with pause or resume while it is unfinished. (No automatic reload: it would throw away
    /// settings being edited below.)
    static func settingsApplication(_ application: SettingsApplication, identity: TenantIdentity) -> HTML {
        let (done, total, label) =
            application.phase == .failures
            ? (application.failuresDone, application.failures ?? 0, "Failed matches tried again")
            : (application.done, application.total, "Linked pairs done")
        // Nothing counted yet: the failures are waiting for the match index (0 %), or there were no linked pairs (100 %).
        let percent = max(total, done) == 0 ? (application.phase == .failures ? 0 : 100) : min(100, done * 100 / max(total, done))
        let bar: HTML = "<progress max=\"100\" value=\"\(percent)\" aria-label=\"\(label)\">\(percent) %</progress>"
        func action(_ name: String, _ label: String) -> HTML {
            """
            <form method="post" action="/ui/settings/application/\(name)" class="inline">\(Layout.csrf(identity))\
            <button>\(label)</button></form>
            """
        }
        switch application.state {
        case .running:
            return """
                <section class="card" role="status" aria-label="Applying the new settings"><p>\(application.sentence)</p>\(bar)
                <p class="muted">Reload the page to see how far it has come.</p>\(action("pause", "Pause"))</section>
                """
        case .paused:
            return """
                <section class="card" role="status" aria-label="Applying the new settings"><p>\(application.sentence)</p>\(bar)
                \(action("resume", "Resume"))</section>
                """
        case .finished, .superseded:
            return "<p class=\"muted\">\(application.sentence)</p>"
        }
    }
}
