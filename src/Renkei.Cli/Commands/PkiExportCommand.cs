using System.CommandLine;

namespace Renkei.Cli.Commands;

/// <summary><c>renkei pki export &lt;dir&gt;</c>: J-LIS's JPKI CA certificates and current CRLs as PEM.</summary>
public static class PkiExportCommand
{
    public static void AddTo(Command pki)
    {
    }
}
