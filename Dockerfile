# One image for every service: the launcher jar, with the command chosen per container.
#   docker build -t wecom-pipeline .
#   docker run --rm wecom-pipeline --help

# --- build: the Maven wrapper pins Maven; dependencies come from Maven Central -------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests package

# --- run: a JRE and the jar --------------------------------------------------------------
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 wecom && mkdir -p /data && chown wecom /data
COPY --from=build /src/launcher/target/wecom-pipeline.jar /app/wecom-pipeline.jar
USER wecom
WORKDIR /app
ENV WECOM_PIPELINE_DATA_DIR=/data
EXPOSE 8645 8646 8647
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/wecom-pipeline.jar"]
CMD ["--help"]
