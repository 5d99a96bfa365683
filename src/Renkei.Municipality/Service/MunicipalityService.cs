using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Service;

/// <summary>
/// One municipality's resident-register service (住民基本台帳) over HTTP on Kestrel. It talks to J-LIS only through
/// <see cref="JlisHttpClient"/> at <see cref="MunicipalityServiceOptions.Jlis"/>, signing as the ward.
/// <para>Staff log in with id, password and TOTP code (<c>POST /staff/sessions</c>) and send the token they get as
/// <c>Authorization: Bearer …</c>; every endpoint that reads or changes personal information answers 401 without it. They
/// choose the affair they act in (<c>POST /staff/sessions/affair</c>). Whether any response carries individual numbers is
/// decided only by <see cref="NumberVisibility.Decide"/> for the session on the day (DESIGN.md rule 7): asking for numbers
/// when they are masked is refused with the reason (403), never silently masked. Whether a session may search residents,
/// read a resident's record (certificate data: household, 続柄, moves) or change the register is decided only by
/// <see cref="ResidentRecordAccess.Decide"/> from the chosen affair's need to know in the affair catalogue (403 with the
/// reason otherwise); changes that carry or change a number (arrival, number change) also need a number-using affair.</para>
/// <para>Every body is read by <see cref="StaffApiBodies"/> before anything is decided: at most 64 KiB (413), required
/// fields present (400 naming the field), values of the right form; the register then checks its bounds
/// (<see cref="RegisterInputRules"/>). No refusal repeats what was sent.</para>
/// <para>Every login (and failed login), logout, affair choice, search, certificate and register change is written to the
/// ward's operation log — refusals too — before the response is sent: staff id, time, terminal, affair, action, result.
/// The person is the entry's subject by integrated addressee number (when they have one yet); the detail also carries the
/// register's resident id (<c>resident-id=…</c>); never a number.</para>
/// </summary>
public static class MunicipalityService
{
    /// <summary>The staff id recorded for requests without a valid session.</summary>
    public const string AnonymousStaff = "anonymous";

    /// <summary>The class a <see cref="MunicipalityServiceOptions.EApplicationPortals"/> entry must have (the registry's <c>Portal</c>).</summary>
    public const string EApplicationPortalClass = nameof(Renkei.Network.Contracts.InstitutionClass.Portal);

    /// <summary>
    /// Starts the ward's service from <paramref name="options"/>: its values become the settings of <see cref="WardOptions"/>
    /// and the instances the composer registers, then <see cref="WardModule.AddWard"/> and <see cref="WardModule.MapWardApi"/> run.
    /// </summary>
    public static Task<ServiceHost> StartAsync(MunicipalityServiceOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Staff);
        ArgumentNullException.ThrowIfNull(options.OperationLog);
        if (options.OperationLog.Municipality != options.Code)
            throw new ArgumentException("the operation log belongs to another municipality", nameof(options));
        return ServiceHost.StartAsync($"municipality-{options.Code.Digits}",
            builder =>
            {
                options.AddInstances(builder.Services);
                builder.AddWard();
            },
            app => app.MapWardApi(),
            new ServiceHostOptions(options.Port, options.Address) { MutualTls = options.Tls, ApiReference = options.ApiReference, Settings = options.ToSettings() },
            ct);
    }
}
