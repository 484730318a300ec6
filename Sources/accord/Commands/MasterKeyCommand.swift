import ArgumentParser
import Credentials

/// `accord master-key generate`: a new key for encrypting tenants' secrets.
struct MasterKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "master-key",
        abstract: "Manage the master key that encrypts tenants' e-conomic and Stripe secrets.",
        subcommands: [Generate.self])

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a new random master key (base64) for ACCORD_MASTER_KEY.",
            discussion: "Keep it secret and stable: secrets sealed with it cannot be read without it. To rotate, set the new key as ACCORD_MASTER_KEY and the old one in ACCORD_MASTER_KEY_PREVIOUS.")

        func run() {
            let key = MasterKey.generate()
            print(key.exportBase64())
        }
    }
}
