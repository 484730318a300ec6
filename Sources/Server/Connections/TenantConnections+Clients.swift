public import Connectors
public import Credentials

extension TenantConnections.Economic {
    /// The e-conomic client configuration these connection details give (used by the outbound worker, the poller
    /// and the connections page's test).
    public var clientConfiguration: EconomicClient.Configuration {
        EconomicClient.Configuration(baseURL: baseURL, appSecretToken: appSecretToken.revealed, agreementGrantToken: agreementGrantToken.revealed)
    }
}

extension TenantConnections.Stripe {
    /// The Stripe client configuration these connection details give (used by the inbox processor, the catch-up
    /// and the connections page's test).
    public var clientConfiguration: StripeConfiguration {
        StripeConfiguration(apiBase: apiBase, secretKey: secretKey.revealed)
    }
}
