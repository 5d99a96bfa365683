using System.Text;
using Renkei.ServiceDefaults;

namespace Renkei.TestSupport;

/// <summary>
/// Captures what the process writes to the console, where services log (<see cref="Renkei.ServiceDefaults.ServiceHost"/>'s
/// console logger takes the writer when a host starts, so start the host inside the capture and dispose it before reading
/// <see cref="Text"/>). The console is the process's: run such tests in a collection with parallelisation disabled.
/// </summary>
public sealed class ConsoleCapture : IDisposable
{
    private readonly TextWriter _original;
    private readonly StringWriter _writer = new();

    public ConsoleCapture()
    {
        _original = Console.Out;
        Console.SetOut(_writer);
    }

    /// <summary>What was written (read it once the hosts that log here are disposed).</summary>
    public string Text => _writer.ToString();

    public void Dispose() => Console.SetOut(_original);
}
