using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Holders;
using Renkei.Municipality.Staff;

namespace Renkei.Country;

/// <summary>
/// One service of a declared country: whether it runs, where it listens, settings that override what the builder derives
/// (keys as in appsettings, <c>Network:BatchParallelism</c>), and instances registered before the module adds itself (a
/// message tap, a clock, an outgoing handler), which win over the module's defaults.
/// </summary>
public class ServiceDeclaration
{
    public bool Enabled { get; set; } = true;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; set; }

    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Serves the browsable API reference page (the demo); the OpenAPI description itself is always served.</summary>
    public bool ApiReference { get; set; }

    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<Action<IServiceCollection>> Services { get; } = [];

    /// <summary>Registers an instance the module takes from DI instead of its default (e.g. an <c>IMessageTap</c>).</summary>
    public ServiceDeclaration With<T>(T instance) where T : class
    {
        Services.Add(services => services.AddSingleton(instance));
        return this;
    }
}

/// <summary>The information provision network (情報提供ネットワークシステム).</summary>
public sealed class NetworkDeclaration : ServiceDeclaration
{
    /// <summary>
    /// Where the other institutions reach the network when that is not the instance's own address: a load balancer in front
    /// of several instances (<see cref="CountryBuilder.StartNetworkInstanceAsync"/>). Null: the instance's address.
    /// </summary>
    public Uri? PublicAddress { get; set; }
}

/// <summary>J-LIS (地方公共団体情報システム機構): numbering, its token routes when the country has a network, JPKI and cards when <see cref="JpkiPassphrase"/> is set.</summary>
public sealed class JlisDeclaration : ServiceDeclaration
{
    /// <summary>The JPKI CAs' key-file passphrase; null: no JPKI and card services.</summary>
    public string? JpkiPassphrase { get; set; }
}

/// <summary>
/// A municipality: its intermediate server (its node on the network), its resident-register API and its staff console.
/// The API and the console share one staff directory and one operation log on the ward's database.
/// </summary>
public sealed class WardDeclaration(LocalGovernmentCode code, string name)
{
    public LocalGovernmentCode Code { get; } = code;
    public string Name { get; } = name;

    /// <summary>The ward's intermediate server (中間サーバー); registered at the network as the ward's endpoint.</summary>
    public ServiceDeclaration Intermediate { get; } = new();

    /// <summary>The resident-register service (the ward's API).</summary>
    public ServiceDeclaration Api { get; } = new();

    /// <summary>The staff console (職員用画面); off unless enabled.</summary>
    public ServiceDeclaration Console { get; } = new() { Enabled = false };

    /// <summary>How staff passwords are hashed (production hashing unless a demo or test says otherwise).</summary>
    public StaffDirectoryOptions? StaffOptions { get; set; }

    /// <summary>Creates accounts once the staff directory is open (the demo's staff).</summary>
    public Action<StaffDirectory>? SeedStaff { get; set; }

    /// <summary>Index of the ward in its country (fixed ports follow it).</summary>
    internal int Index { get; set; }
}

/// <summary>The pension organisation or a health insurer, with its own intermediate server.</summary>
public sealed class HolderDeclaration(HolderKind kind)
{
    public HolderKind Kind { get; } = kind;

    public string Code => Kind == HolderKind.PensionOrganisation ? HolderInstitutions.PensionOrganisationCode : HolderInstitutions.DemoInsurerCode;
    public string Name => Kind == HolderKind.PensionOrganisation ? HolderInstitutions.PensionOrganisationName : HolderInstitutions.DemoInsurerName;

    public ServiceDeclaration Service { get; } = new();
    public ServiceDeclaration Intermediate { get; } = new();
}

/// <summary>The citizen portal (マイナポータル); every ward with an API takes its e-applications.</summary>
public sealed class PortalDeclaration : ServiceDeclaration
{
    public string Code { get; set; } = Renkei.Network.Contracts.PortalRoutes.DemoPortalCode;
    public string Name { get; set; } = "マイナポータル";
}

/// <summary>
/// A kiosk terminal (キオスク端末) in a store: its touch screen and device service, pinned by the issuance centre it calls.
/// The declaration's address is where its screen is served; keep it on loopback (its routes answer the device's own
/// screen only).
/// </summary>
public sealed class KioskDeclaration(string code, string location) : ServiceDeclaration
{
    /// <summary>The terminal's id at the centre and in the wards' operation logs.</summary>
    public string Code { get; } = code;

    /// <summary>Where it stands, shown on its screen.</summary>
    public string Location { get; } = location;
}

/// <summary>
/// The certificate issuance centre (証明書交付センター, run by J-LIS): registered at J-LIS (role <c>IssuanceCentre</c>), pinned
/// by every ward with an API (<c>Ward:IssuanceCentre</c>), each such ward listed as participating. It serves the kiosks
/// pinned here (<see cref="PinKiosk"/>).
/// </summary>
public sealed class IssuanceCentreDeclaration : ServiceDeclaration
{
    /// <summary>The demo's centre code at J-LIS and the wards (what kiosk challenges name).</summary>
    public const string DemoCode = "ISSUANCE";

    public string Code { get; set; } = DemoCode;
    public string Name { get; set; } = "証明書交付センター";

    private readonly List<(string Code, string KeyDirectory)> _kiosks = [];

    /// <summary>The kiosks the centre pins: code and the directory of the kiosk's signing key (created on first use).</summary>
    public IReadOnlyList<(string Code, string KeyDirectory)> Kiosks => _kiosks;

    /// <summary>Pins a kiosk by its code and the signing key in <paramref name="keyDirectory"/> (created when the country starts, if missing).</summary>
    public IssuanceCentreDeclaration PinKiosk(string code, string keyDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyDirectory);
        if (_kiosks.Any(k => k.Code == code)) throw new ArgumentException("the kiosk is pinned already", nameof(code));
        _kiosks.Add((code, keyDirectory));
        return this;
    }
}
