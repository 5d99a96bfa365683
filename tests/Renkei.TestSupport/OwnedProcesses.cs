using System.Diagnostics;

namespace Renkei.TestSupport;

/// <summary>The processes a test started (renkei serve, haproxy …): all killed, with their children, when it ends.</summary>
public sealed class OwnedProcesses : IDisposable
{
    private readonly List<Process> _processes = [];

    public Process Add(Process process)
    {
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
        _processes.Clear();
    }
}
