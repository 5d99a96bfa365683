using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Bench;

/// <summary>
/// HAProxy (Debian's package) in front of the network's instances for <c>renkei bench linkage --network-instances N</c>: plain
/// HTTP on loopback, each request balanced round robin (<c>mode http</c>, so pooled connections do not pin a caller to one
/// instance), health checks on <c>/health/ready</c> every 500 ms. The instances' ports are fixed before they start.
/// </summary>
public sealed class NetworkBalancer : IAsyncDisposable
{
    private readonly Process _haproxy;
    private readonly string _directory;

    private NetworkBalancer(Process haproxy, string directory, int port, IReadOnlyList<int> instancePorts)
    {
        _haproxy = haproxy;
        _directory = directory;
        Address = new Uri($"http://127.0.0.1:{port}/");
        InstancePorts = instancePorts;
    }

    /// <summary>Where the other institutions call the network.</summary>
    public Uri Address { get; }

    public IReadOnlyList<int> InstancePorts { get; }

    public string Description => $"HAProxy {Version()} mode http, roundrobin, health checks on /health/ready";

    /// <summary>The name of instance <paramref name="index"/> (a, b, …): its <c>Renkei:Instance</c> and the HAProxy server's name.</summary>
    public static string InstanceName(int index) => ((char)('a' + index)).ToString();

    /// <exception cref="UsageException">haproxy is not installed.</exception>
    public static NetworkBalancer Start(int instances)
    {
        if (instances is < 2 or > 8) throw new ArgumentOutOfRangeException(nameof(instances));
        var port = FreePort();
        var ports = Enumerable.Range(0, instances).Select(_ => FreePort()).ToList();
        var directory = Path.Combine(Path.GetTempPath(), "renkei-bench-haproxy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "haproxy.cfg");
        File.WriteAllText(config, string.Join('\n',
        [
            "global", "    maxconn 8192", "",
            "defaults", "    mode http", "    timeout connect 2s", "    timeout client 60s", "    timeout server 60s", "    retries 2", "    option redispatch", "",
            "frontend network", $"    bind 127.0.0.1:{port}", "    default_backend network_instances", "",
            "backend network_instances", "    balance roundrobin", "    option httpchk GET /health/ready", "    http-check expect status 200",
            "    default-server check inter 500ms fall 2 rise 1",
            .. ports.Select((p, i) => $"    server {InstanceName(i)} 127.0.0.1:{p}"), "",
        ]));
        var info = new ProcessStartInfo("haproxy") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-f", config, "-db" }) info.ArgumentList.Add(argument);
        Process haproxy;
        try
        {
            haproxy = Process.Start(info) ?? throw new UsageException("--network-instances needs haproxy (apt-get install haproxy)");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UsageException("--network-instances needs haproxy on the PATH (apt-get install haproxy)");
        }
        _ = haproxy.StandardOutput.ReadToEndAsync();
        _ = haproxy.StandardError.ReadToEndAsync();
        return new NetworkBalancer(haproxy, directory, port, ports);
    }

    /// <summary>Waits until <paramref name="count"/> different instances have answered <c>/health/ready</c> through the balancer.</summary>
    public async Task WaitForAsync(int count, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (seen.Count < count)
        {
            if (_haproxy.HasExited) throw new InvalidOperationException("haproxy stopped");
            try
            {
                using var response = await http.GetAsync("health/ready", deadline.Token);
                if (response.IsSuccessStatusCode && response.Headers.TryGetValues(ServiceInstance.Header, out var names)) seen.Add(names.Single());
            }
            catch (HttpRequestException)
            {
                // Not up yet: the health checks have not passed.
            }
            await Task.Delay(100, deadline.Token);
        }
    }

    private static string Version()
    {
        try
        {
            var info = new ProcessStartInfo("haproxy", "-v") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            var first = process.StandardOutput.ReadLine() ?? "";
            process.WaitForExit();
            return first.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) ?? "?";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_haproxy.HasExited) _haproxy.Kill();
        await _haproxy.WaitForExitAsync();
        _haproxy.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
