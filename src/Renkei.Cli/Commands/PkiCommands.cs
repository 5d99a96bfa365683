using System.CommandLine;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pki …</c>: the two public-key infrastructures. <c>pki init</c> makes the network's CA and the node
/// certificates a deployment's services use for mutual TLS (<see cref="PkiInitCommand"/>); <c>pki export</c> writes
/// J-LIS's JPKI CA certificates and current CRLs as PEM (<see cref="PkiExportCommand"/>).
/// </summary>
public static class PkiCommands
{
    public static void AddTo(RootCommand root)
    {
        var pki = new Command("pki", "certificate authorities: the network's CA for mutual TLS, J-LIS's JPKI CAs");
        PkiInitCommand.AddTo(pki);
        PkiExportCommand.AddTo(pki);
        PkiSignerCommands.AddTo(pki);
        root.Subcommands.Add(pki);
    }
}
