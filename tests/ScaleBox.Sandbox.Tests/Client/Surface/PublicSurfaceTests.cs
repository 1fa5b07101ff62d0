using System.Reflection;
using ScaleBox.Sandbox.Client.Transport;

namespace ScaleBox.Sandbox.Tests.Client.Surface;

/// <summary>
/// The client library's public surface shows no type of gRPC, protobuf or the generated schema: the
/// module loads those in a load context of their own, and the cmdlets, in the default context, may
/// only ever see the client's own types.
/// </summary>
public class PublicSurfaceTests
{
    static readonly Assembly Client = typeof(SandboxClient).Assembly;

    static bool IsDependencyType(Type type)
    {
        string assembly = type.Assembly.GetName().Name ?? "";
        return assembly.StartsWith("Grpc.", StringComparison.Ordinal)
            || assembly.StartsWith("Google.", StringComparison.Ordinal)
            || assembly.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
            || assembly == "ScaleBox.Sandbox.Protocol";
    }

    /// <summary>The type and every type it is made of: element types and generic arguments.</summary>
    static IEnumerable<Type> Parts(Type type)
    {
        yield return type;
        if (type.HasElementType)
        {
            foreach (Type part in Parts(type.GetElementType()!)) yield return part;
        }
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (Type argument in type.GetGenericArguments())
            {
                foreach (Type part in Parts(argument)) yield return part;
            }
        }
    }

    /// <summary>Every type a caller outside the assembly can see in <paramref name="type"/>'s signature.</summary>
    static IEnumerable<(string Where, Type Type)> VisibleTypes(Type type)
    {
        const BindingFlags Visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is not null) yield return ("base type", type.BaseType);
        foreach (Type face in type.GetInterfaces()) yield return ("interface", face);
        foreach (FieldInfo field in type.GetFields(Visible | BindingFlags.NonPublic).Where(f => f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly))
        {
            yield return (field.Name, field.FieldType);
        }
        foreach (PropertyInfo property in type.GetProperties(Visible))
        {
            yield return (property.Name, property.PropertyType);
        }
        foreach (EventInfo e in type.GetEvents(Visible))
        {
            yield return (e.Name, e.EventHandlerType!);
        }
        IEnumerable<MethodBase> methods = type.GetMethods(Visible | BindingFlags.NonPublic).Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly)
            .Concat<MethodBase>(type.GetConstructors(Visible | BindingFlags.NonPublic).Where(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly));
        foreach (MethodBase method in methods)
        {
            if (method is MethodInfo info) yield return (method.Name + " returns", info.ReturnType);
            foreach (ParameterInfo parameter in method.GetParameters())
            {
                yield return ($"{method.Name}({parameter.Name})", parameter.ParameterType);
            }
        }
    }

    [Fact]
    public void No_public_member_of_the_client_library_shows_a_dependency_type()
    {
        Type[] exported = Client.GetExportedTypes();
        Assert.NotEmpty(exported);
        var leaks = (
            from type in exported
            from visible in VisibleTypes(type)
            from part in Parts(visible.Type)
            where IsDependencyType(part)
            select $"{type.FullName}.{visible.Where}: {part.FullName}").Distinct().ToList();
        Assert.True(leaks.Count == 0, "Dependency types on the public surface:\n" + string.Join("\n", leaks));
    }

    [Fact]
    public void The_check_sees_a_dependency_type_when_one_is_there()
    {
        // The rule itself: a generated message is a dependency type, a client model type is not.
        Assert.True(IsDependencyType(typeof(ScaleBox.Sandbox.Protocol.StatRequest)));
        Assert.Contains(Parts(typeof(List<Grpc.Core.Metadata>)), IsDependencyType);
        Assert.False(IsDependencyType(typeof(SandboxClient)));
    }
}
