import Connectors
import Foundation

extension Pages {
    /// The connections page: per system whether it is connected, where to, the last test with its outcome, the
    /// form to connect (secrets are never shown again: saving replaces them), and for Stripe the webhook URL.
    static func connections(_ status: ConnectionStatus, problems: [ConnectionSystem: String], identity: TenantIdentity) -> HTML {
        func problem(_ system: ConnectionSystem) -> HTML {
            problems[system].map { "<p class=\"error\" role=\"alert\" id=\"\(system.rawValue)-problem\">\($0)</p>" } ?? .empty
        }
        func check(_ check: ConnectionStatus.Check?) -> HTML {
            guard let check else { return .empty }
            return "<p class=\"\(check.ok ? "notice" : "error")\" role=\"status\">Tested \(check.at): \(check.message)</p>"
        }
        func testButton(_ system: ConnectionSystem, connected: Bool) -> HTML {
            guard connected else { return .empty }
            return """
                <form method="post" action="/ui/connections/\(system.rawValue)/test" class="inline">\(Layout.csrf(identity))<button>Test connection</button></form>
                """
        }
        let economic = status.economic
        let stripe = status.stripe
        let economicState: HTML =
            economic.connected
            ? "<p>Connected to <code>\(economic.baseURL ?? "")</code>. Saving new tokens replaces the stored ones.</p>"
            : "<p class=\"error\">Not connected: partners cannot be created or updated in e-conomic until it is.</p>"
        let stripeState: HTML =
            stripe.connected
            ? "<p>Connected to <code>\(stripe.apiBase ?? "")</code> with \(stripe.webhookSecrets) webhook signing secret\(stripe.webhookSecrets == 1 ? "" : "s"). Saving replaces the stored key and secrets.</p>"
            : "<p class=\"error\">Not connected: Stripe customers are not received until it is.</p>"
        return """
            <h1>Connections</h1>
            <section class="card" id="economic"><h2>e-conomic</h2>\(economicState)\(check(economic.lastCheck))\(testButton(.economic, connected: economic.connected))
            <form method="post" action="/ui/connections/economic">\(Layout.csrf(identity))\(problem(.economic))
            <label for="app_secret_token">App secret token (X-AppSecretToken)</label><input type="password" id="app_secret_token" name="app_secret_token" autocomplete="off" size="50" required>
            <label for="agreement_grant_token">Agreement grant token (X-AgreementGrantToken)</label><input type="password" id="agreement_grant_token" name="agreement_grant_token" autocomplete="off" size="50" required>
            <label for="base_url">REST address</label><input id="base_url" name="base_url" size="50" value="\(economic.baseURL ?? EconomicClient.Configuration.productionBaseURL)">
            <p><button class="primary">\(economic.connected ? "Save new tokens" : "Connect e-conomic")</button></p></form></section>
            <section class="card" id="stripe"><h2>Stripe</h2>\(stripeState)\(check(stripe.lastCheck))\(testButton(.stripe, connected: stripe.connected))
            <p><label for="webhook_url">Webhook URL — in Stripe's dashboard, add an endpoint with this URL for the <code>customer.*</code> events, then paste its signing secret below</label>
            <input id="webhook_url" value="\(stripe.webhookURL)" size="70" readonly></p>
            <form method="post" action="/ui/connections/stripe">\(Layout.csrf(identity))\(problem(.stripe))
            <label for="secret_key">Secret key (sk_…)</label><input type="password" id="secret_key" name="secret_key" autocomplete="off" size="50" required>
            <label for="webhook_secret">Webhook signing secret (whsec_…)</label><input type="password" id="webhook_secret" name="webhook_secret" autocomplete="off" size="50">
            <label for="webhook_secret_2">A second signing secret, while Stripe rolls the first (optional)</label><input type="password" id="webhook_secret_2" name="webhook_secret" autocomplete="off" size="50">
            <label for="api_base">API address</label><input id="api_base" name="api_base" size="50" value="\(stripe.apiBase ?? StripeConfiguration.defaultAPIBase)">
            <p><button class="primary">\(stripe.connected ? "Save new key" : "Connect Stripe")</button></p></form></section>
            """
    }

    /// What a sync screen says when a connection is missing; its actions are disabled (a disabled fieldset
    /// disables every control inside it) until e-conomic is connected.
    static func gated(_ body: HTML, status: ConnectionStatus?) -> HTML {
        guard let status, !status.missing.isEmpty else { return body }
        let lines = HTML.join(status.missing.map { "<li>\($0)</li>" })
        // Without e-conomic nothing can be done here (an alert, the actions disabled); without Stripe a company that
        // keeps its customers in files works on (a note).
        guard !status.economic.connected else {
            return "<section class=\"card\" role=\"status\"><ul>\(lines)</ul><a href=\"/ui/connections\">Set up connections</a></section>\(body)"
        }
        let banner: HTML =
            "<section class=\"card error\" role=\"alert\"><ul>\(lines)</ul><a href=\"/ui/connections\">Set up connections</a></section>"
        return "\(banner)<fieldset disabled class=\"locked\">\(body)</fieldset>"
    }
}
