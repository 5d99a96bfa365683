using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;

namespace Renkei.Cli;

/// <summary>
/// A connection to J-LIS for a municipality's batch job: the service at --jlis-url when given,
/// otherwise J-LIS started from the data directory on a loopback port for the duration of the job.
/// Either way the municipality talks to it over HTTP through the published contract.
/// </summary>
public sealed class JlisConnection : IAsyncDisposable
{
    private readonly ServiceHost? _localHost;
    private readonly HttpClient _http;

    private JlisConnection(HttpClient http, ServiceHost? localHost)
    {
        _http = http;
        _localHost = localHost;
        Client = new JlisHttpClient(http);
    }

    public IJlisNumberingClient Client { get; }
    public Uri BaseAddress => _http.BaseAddress!;

    public static async Task<JlisConnection> OpenAsync(DataLayout layout, Uri? url, CancellationToken cancellationToken)
    {
        ServiceHost? host = null;
        if (url is null)
            host = await JlisService.StartAsync(new JlisServiceOptions(layout.JlisDatabase(), layout.JlisKeyFile), cancellationToken);
        var http = new HttpClient { BaseAddress = url ?? host!.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        return new JlisConnection(http, host);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_localHost is not null) await _localHost.DisposeAsync();
    }
}
