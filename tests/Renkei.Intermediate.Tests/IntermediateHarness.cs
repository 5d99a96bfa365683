using System.Text.Json;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Storage;
using Renkei.TestSupport;

namespace Renkei.Intermediate.Tests;

/// <summary>An intermediate server for 品川区 on Kestrel over a throw-away database, and a client talking to it over HTTP.</summary>
public sealed class IntermediateHarness : IAsyncDisposable
{
    public const string Holder = "131091";
    public const string HolderName = "品川区";

    private readonly TestDatabase _database;

    private IntermediateHarness(TestDatabase database, ServiceHost host)
    {
        _database = database;
        Host = host;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        Client = new IntermediateHttpClient(Http);
        Store = new IntermediateStore(database.Database);
    }

    public ServiceHost Host { get; }
    public HttpClient Http { get; }
    public IntermediateHttpClient Client { get; }
    public IntermediateStore Store { get; }
    public Database Database => _database.Database;

    public static async Task<IntermediateHarness> StartAsync(string provider)
    {
        var database = TestDatabase.Create(provider);
        try
        {
            var host = await IntermediateService.StartAsync(new IntermediateServiceOptions(database.Database, Holder, HolderName));
            return new IntermediateHarness(database, host);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>A plausible local-tax copy for addressee <paramref name="addressee"/>.</summary>
    public static CopyUpdate LocalTax(long addressee, long version = 1, long taxableIncome = 3_000_000, int fiscalYear = 2026) =>
        new(addressee, InformationKindCodes.LocalTax, new DateOnly(fiscalYear, 6, 1), version, CopyBodies.ToJson(new LocalTaxBody(
            fiscalYear, Taxable: true, TotalIncome: taxableIncome + 1_000_000, TotalDeductions: 1_000_000, TaxableIncome: taxableIncome,
            IncomeBasedTaxAmount: taxableIncome / 10, PerCapitaLevy: 5_000, DependantsCount: (int)(addressee % 4))));

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
