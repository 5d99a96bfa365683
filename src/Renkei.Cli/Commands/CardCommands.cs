using System.CommandLine;

namespace Renkei.Cli.Commands;

/// <summary><c>renkei card …</c>: the individual number card (個人番号カード): validity and lifecycle operations.</summary>
public static class CardCommands
{
    public static void AddTo(RootCommand root)
    {
    }
}
