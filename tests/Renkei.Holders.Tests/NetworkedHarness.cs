using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tokens;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Holders.Tests;

/// <summary>
/// The holders among the real services on loopback HTTP, a preset of the <see cref="TestCountry"/>: the network, J-LIS with
/// its token routes, each holder declared with its own intermediate server as its network node, and 品川区's intermediate
/// server as an inquirer. Each institution has its own database (same engine) and keys.
/// </summary>
public sealed class NetworkedHarness : IAsyncDisposable
{
    public const string Ward = "131091";
    private static readonly LocalGovernmentCode WardCode = LocalGovernmentCode.ParseOrThrow(Ward);

    private readonly TestCountry _country;

    private NetworkedHarness(TestCountry country)
    {
        _country = country;
        // The ward numbers its residents as itself (J-LIS knows every ward of the country).
        Numbering = new JlisHttpClient(country.JlisClientFor(WardCode));
    }

    public ServiceHost Jlis => _country.Jlis;
    public JlisHttpClient Numbering { get; }

    /// <summary>The network, J-LIS, 品川区's intermediate server (no register API: the tests are the ward's systems) and <paramref name="holders"/>.</summary>
    public static async Task<NetworkedHarness> StartAsync(string provider, params HolderKind[] holders)
    {
        var country = TestCountry.Declare(provider, c => c.AddNetwork().AddJlis().AddWard(WardCode, "品川区", ward => ward.Api.Enabled = false));
        foreach (var kind in holders) country.Builder.AddHolder(kind);
        return new NetworkedHarness(await country.StartAsync());
    }

    /// <summary>A declared holder and its own systems' client of its intermediate server.</summary>
    public (HolderNode Holder, IntermediateHttpClient Intermediate) Holder(HolderKind kind)
    {
        var code = HolderHarness.CodeOf(kind);
        return (_country.Holder(code).Node, _country.IntermediateClientOf(code));
    }

    /// <summary>The ward's intermediate server (inquirer) and a token acquirer signing as the ward.</summary>
    public (IntermediateHttpClient Intermediate, TokenAcquirer Tokens) WardNode()
    {
        var client = _country.IntermediateClientOf(WardCode);
        var jlis = new JlisHttpClient(_country.JlisClientFor(WardCode));
        return (client, new TokenAcquirer(Ward, new Tokens.IntermediateTokenInbox(client, Ward, Tokens.IntermediateTokenInbox.Job), jlis));
    }

    /// <summary>J-LIS designates numbers for <paramref name="count"/> of the ward's resident-record codes.</summary>
    public async Task<IReadOnlyList<NumberAssignment>> DesignateAsync(int count, long first)
    {
        var codes = Enumerable.Range(0, count).Select(i => ResidentCode.FromBody(first + i * 104_729L)).ToList();
        var file = await Numbering.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), WardCode, codes));
        Assert.Equal(count, file.Assignments.Count);
        return file.Assignments;
    }

    public ValueTask DisposeAsync() => _country.DisposeAsync();
}
