public import Foundation

/// The mail system `scripts/peers/mail` starts once per test process: Dovecot (IMAP with
/// STARTTLS, IMAPS) and a submission server relaying into it, with users
/// anna@example.test, bob@example.test and carol@example.test (password "secret") and a throwaway CA.
public struct MailPeer: Sendable {
    public let imapURL: URL
    public let imapsURL: URL
    public let smtpURL: URL
    public let smtpsURL: URL
    /// The PEM file of the CA that signed the servers' certificate.
    public let caFile: String

    /// The running mail peer, started on first use.
    public static func shared() async throws -> MailPeer { try await started.value }

    private static let started = Task { () throws -> MailPeer in
        // Five ports from the base: IMAP, IMAPS, LMTP, SMTP, SMTPS.
        let base = try Peer.freePort()
        let script = ChildProcess.repositoryRoot.appendingPathComponent("scripts/peers/mail").path
        let result = try ChildProcess.run([script, "start", String(base)])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard result.status == 0, lines.count == 5, let imap = URL(string: lines[0]), let imaps = URL(string: lines[1]),
              let smtp = URL(string: lines[2]), let smtps = URL(string: lines[3])
        else { throw PeerError(message: "scripts/peers/mail start failed (\(result.status)): \(result.stdout) \(result.stderr)") }
        return MailPeer(imapURL: imap, imapsURL: imaps, smtpURL: smtp, smtpsURL: smtps, caFile: lines[4])
    }
}
