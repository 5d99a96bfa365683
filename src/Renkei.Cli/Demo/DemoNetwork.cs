using System.Security.Cryptography;
using System.Text;
using Renkei.Cli.Commands;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Holders.Demo;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Demo;

/// <summary>
/// The demo country's network side: the information provision network, J-LIS's and each institution's registration in
/// it, and the two non-municipal information holders (日本年金機構 and a 健康保険組合), each with its own service, database,
/// keys and intermediate server.
/// </summary>
internal static class DemoNetwork
{
    public const string JlisName = "地方公共団体情報システム機構";

    /// <summary>Registers an institution whose keys live in <paramref name="keyDirectory"/> (created on first use).</summary>
    public static void Register(NetworkNode network, string code, string name, InstitutionClass kind, Uri? endpoint, string keyDirectory)
    {
        using var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
        network.Registry.Upsert(new InstitutionInfo(code, name, kind, endpoint, keys.SigningPublicKey, keys.SealingPublicKey));
    }

    /// <summary>The demo portal as a ward's e-application inbox pins it: its code and signing public key (its keys are created on first use).</summary>
    public static KnownInstitution PortalCaller(DataLayout layout)
    {
        using var keys = InstitutionKeys.LoadOrCreate(layout.PortalInstitutionKeyDirectory);
        return new KnownInstitution(PortalRoutes.DemoPortalCode, nameof(InstitutionClass.Portal), RequestSignature.ImportPublicKey(keys.SigningPublicKey));
    }

    /// <summary>The intermediate server of an institution as its node on the network.</summary>
    public static Task<ServiceHost> StartIntermediateAsync(Database database, string code, string name, string keyDirectory, NetworkNode network,
        CancellationToken cancellationToken, int port = 0) =>
        IntermediateService.StartAsync(new IntermediateServiceOptions(database, code, name, port)
        {
            InstitutionKeyDirectory = keyDirectory,
            NetworkAddress = network.BaseAddress,
            NetworkSigningPublicKey = network.SigningPublicKey,
            ApiReference = true,
        }, cancellationToken);

    /// <summary>Starts a holder and its intermediate server and registers it at the network.</summary>
    public static async Task<RunningHolder> StartHolderAsync(DataLayout layout, HolderKind kind, NetworkNode network, Uri jlis, CancellationToken cancellationToken,
        int port = 0, int intermediatePort = 0)
    {
        var (code, name) = kind == HolderKind.PensionOrganisation
            ? (HolderInstitutions.PensionOrganisationCode, HolderInstitutions.PensionOrganisationName)
            : (HolderInstitutions.DemoInsurerCode, HolderInstitutions.DemoInsurerName);
        var keyDirectory = Path.Combine(layout.HolderDirectory(code), "keys");
        var intermediateDatabase = layout.IntermediateDatabase(code);
        var intermediate = await StartIntermediateAsync(intermediateDatabase, code, name, layout.HolderInstitutionKeyDirectory(code), network, cancellationToken,
            intermediatePort);
        try
        {
            var database = layout.HolderDatabase(code);
            var holder = await HolderService.StartAsync(
                new HolderServiceOptions(kind, code, name, database, keyDirectory, intermediate.BaseAddress, port) { JlisAddress = jlis, ApiReference = true },
                cancellationToken);
            network.Registry.Upsert(holder.Registration);
            return new RunningHolder(holder, database, intermediate, intermediateDatabase);
        }
        catch
        {
            await intermediate.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The holders' people are the wards' residents: the pension organisation keeps everyone 20 and over, the insurer a
    /// share of working households (see <see cref="HolderDemoData"/>). Each person's draws come from a seed derived
    /// from the demo seed and the person's place in the ward, never from the number.
    /// </summary>
    public static IReadOnlyList<HolderDemoPerson> People(IEnumerable<RunningWard> wards, int seed)
    {
        var people = new List<HolderDemoPerson>();
        foreach (var ward in wards)
        {
            var addressees = new AddresseeSystem(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = "renkei-demo" });
            foreach (var member in addressees.Population())
            {
                if (ward.Register.Find(member.ResidentId)?.IndividualNumber is not { } number) continue;
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"renkei-demo/holders/{seed}/{ward.Descriptor.Code.Digits}/{member.ResidentId}"));
                people.Add(new HolderDemoPerson(number, member.BirthDate, member.Sex, BitConverter.ToUInt64(hash),
                    ward.Descriptor.Code.Digits + "/" + member.HouseholdNumber));
            }
        }
        return people;
    }
}

/// <summary>A holder of the running demo: its service and its intermediate server.</summary>
internal sealed class RunningHolder(HolderNode node, Database database, ServiceHost intermediateHost, Database intermediateDatabase) : IAsyncDisposable
{
    public HolderNode Node { get; } = node;
    public Database Database { get; } = database;
    public ServiceHost IntermediateHost { get; } = intermediateHost;
    public Database IntermediateDatabase { get; } = intermediateDatabase;

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await IntermediateHost.DisposeAsync();
    }
}

/// <summary>
/// <c>--capture-network &lt;file&gt;</c>: every message body the network receives, one per line as
/// <c>route TAB institution TAB base64(body)</c>, so a test (or an auditor) can scan them for numbers and names.
/// </summary>
internal sealed class FileMessageTap : IMessageTap, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FileMessageTap(string path)
    {
        _writer = new StreamWriter(PrivateFiles.Create(path), new UTF8Encoding(false)); // message bodies: owner only (600)
    }

    public void Received(string route, string? institution, ReadOnlySpan<byte> body)
    {
        var line = route + "\t" + (institution ?? "") + "\t" + Convert.ToBase64String(body);
        lock (_gate) _writer.WriteLine(line);
    }

    public void Dispose()
    {
        lock (_gate) _writer.Dispose();
    }
}
