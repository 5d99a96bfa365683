using System.CommandLine;

namespace Renkei.Cli.Commands;

/// <summary><c>renkei pki init</c>: the network's CA and node certificates for a mutual-TLS deployment.</summary>
public static class PkiInitCommand
{
    public static void AddTo(Command pki)
    {
    }
}
