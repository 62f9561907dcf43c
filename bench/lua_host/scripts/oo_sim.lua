-- SPDX-License-Identifier: GPL-3.0-or-later
-- An object-oriented simulation with metatables: a Vec2 class whose
-- operators (__add, __sub, __mul) return new vectors, an Entity base class
-- with Ship and Particle subclasses (inheritance through __index chains),
-- ships that fire particles, particles that expire, an event queue of small
-- tables, and a per-step spatial grid rebuilt from scratch. Nearly every
-- arithmetic step allocates a short-lived table.
-- Argument: scale (default 1), the number of steps relative to the default.
local scale = tonumber((...)) or 1
local steps = math.max(5, math.floor(100 * scale + 0.5))

math.randomseed(5)
local random = math.random
local M = 0xffffffffffff

---------------------------------------------------------------- classes
local Vec2 = {}
Vec2.__index = Vec2
local function vec(x, y) return setmetatable({ x = x, y = y }, Vec2) end
Vec2.__add = function(a, b) return vec(a.x + b.x, a.y + b.y) end
Vec2.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
Vec2.__mul = function(a, k) return vec(a.x * k, a.y * k) end
function Vec2:length2() return self.x * self.x + self.y * self.y end

local Entity = {}
Entity.__index = Entity
local next_id = 0
function Entity.new(class, pos, vel)
  next_id = next_id + 1
  return setmetatable({ id = next_id, pos = pos, vel = vel, alive = true }, class)
end
function Entity:move(dt) self.pos = self.pos + self.vel * dt end
function Entity:kind() return "entity" end

local Ship = setmetatable({}, { __index = Entity })
Ship.__index = Ship
function Ship.new(pos) 
  local s = Entity.new(Ship, pos, vec(0, 0))
  s.fuel, s.cooldown, s.log = 100, 0, {}
  return s
end
function Ship:kind() return "ship" end
function Ship:steer(target, dt)
  local d = target - self.pos
  local l2 = d:length2()
  if l2 > 1 then self.vel = self.vel + d * (dt / math.sqrt(l2)) end
  self.vel = self.vel * 0.99
end

local Particle = setmetatable({}, { __index = Entity })
Particle.__index = Particle
function Particle.new(pos, vel, ttl)
  local p = Entity.new(Particle, pos, vel)
  p.ttl = ttl
  return p
end
function Particle:kind() return "particle" end
function Particle:age(dt)
  self.ttl = self.ttl - dt
  if self.ttl <= 0 then self.alive = false end
end

---------------------------------------------------------------- world
local ships, particles, events = {}, {}, {}
for i = 1, 150 do ships[i] = Ship.new(vec(random(-500, 500), random(-500, 500))) end

local dt = 0.1
local h = 0
for step = 1, steps do
  local target = vec(math.sin(step / 50) * 300, math.cos(step / 70) * 300)
  for _, s in ipairs(ships) do
    s:steer(target, dt)
    s:move(dt)
    s.cooldown = s.cooldown - 1
    if s.cooldown <= 0 then
      s.cooldown = 3 + s.id % 5
      for k = 1, 3 do
        local dir = vec(random() - 0.5, random() - 0.5) * 40
        particles[#particles + 1] = Particle.new(s.pos + dir * 0.1, s.vel + dir, 1 + k)
      end
      events[#events + 1] = { type = "fire", ship = s.id, step = step }
      local log = s.log
      log[#log + 1] = step
      if #log > 8 then table.remove(log, 1) end
    end
  end

  -- move and age the particles, keep the live ones in a new list
  local alive = {}
  for _, p in ipairs(particles) do
    p:move(dt)
    p:age(dt)
    if p.alive then alive[#alive + 1] = p end
  end
  particles = alive

  -- a spatial grid, rebuilt every step: cell key -> list of entities
  local grid = {}
  for _, p in ipairs(particles) do
    local key = (p.pos.x // 50) * 100000 + (p.pos.y // 50)
    local cell = grid[key]
    if cell then cell[#cell + 1] = p else grid[key] = { p } end
  end
  for _, s in ipairs(ships) do
    local cell = grid[(s.pos.x // 50) * 100000 + (s.pos.y // 50)]
    if cell then
      for _, p in ipairs(cell) do
        if (p.pos - s.pos):length2() < 100 then
          events[#events + 1] = { type = "hit", ship = s.id, particle = p.id }
        end
      end
    end
  end

  -- drain the events
  if #events > 500 then
    for _, e in ipairs(events) do h = (h + (e.type == "hit" and e.particle or e.ship)) & M end
    events = {}
  end
end

for _, s in ipairs(ships) do
  h = (h * 31 + math.floor(s.pos.x * 1000) + math.floor(s.pos.y)) & M
  h = (h + #s.log + #s:kind()) & M
end
return (h * 31 + #particles + next_id) & M
